package dev.triage.bench.load;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The Redis peer: one sorted set per skill ({@code q:<skill>}) scored with the time-invariant priority, a hash per
 * conversation; open, next-best (over the agent's eligible sets), release are each one Lua script, so each is atomic
 * and one round trip.
 */
final class RedisTarget implements Target
{
    private static final String OPEN = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
        redis.call('HSET', KEYS[2], 'skill', ARGV[2], 'score', ARGV[1], 'state', 'open')
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """;
    private static final String NEXT_BEST = """
        local best, bestKey, bestScore = nil, nil, nil
        for i = 1, #KEYS do
          local head = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
          if head[1] and (bestScore == nil or tonumber(head[2]) < bestScore) then
            best, bestKey, bestScore = head[1], KEYS[i], tonumber(head[2])
          end
        end
        if best == nil then return false end
        redis.call('ZREM', bestKey, best)
        redis.call('HSET', 'c:' .. best, 'state', 'assigned', 'agent', ARGV[1])
        return best
        """;
    private static final String RELEASE = """
        local c = redis.call('HMGET', KEYS[1], 'skill', 'score', 'state')
        if c[3] ~= 'assigned' then return 0 end
        redis.call('HSET', KEYS[1], 'state', 'open')
        redis.call('HDEL', KEYS[1], 'agent')
        redis.call('ZADD', 'q:' .. c[1], c[2], ARGV[1])
        return 1
        """;
    private static final String DEPTH = """
        local n = 0
        for _, k in ipairs(redis.call('KEYS', 'q:*')) do n = n + redis.call('ZCARD', k) end
        return n
        """;

    private final JedisPool pool;
    private final String durability;
    private String openSha;
    private String nextSha;
    private String releaseSha;
    private String depthSha;

    RedisTarget(final String host, final int port)
    {
        final JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(256);
        pool = new JedisPool(config, host, port);
        try (Jedis jedis = pool.getResource())
        {
            durability = "appendonly=" + jedis.configGet("appendonly").get("appendonly") + " appendfsync=" +
                jedis.configGet("appendfsync").get("appendfsync");
        }
    }

    @Override
    public String name()
    {
        return "redis";
    }

    @Override
    public String durability()
    {
        return durability;
    }

    @Override
    public void reset(final List<Agent> agents)
    {
        try (Jedis jedis = pool.getResource())
        {
            jedis.flushAll();
            openSha = jedis.scriptLoad(OPEN);
            nextSha = jedis.scriptLoad(NEXT_BEST);
            releaseSha = jedis.scriptLoad(RELEASE);
            depthSha = jedis.scriptLoad(DEPTH);
        }
    }

    @Override
    public Session session()
    {
        return new RedisSession(pool.getResource());
    }

    @Override
    public void close()
    {
        pool.close();
    }

    private final class RedisSession implements Session
    {
        private final Jedis jedis;

        RedisSession(final Jedis jedis)
        {
            this.jedis = jedis;
        }

        @Override
        public void open(final Conversation c, final long openedAtMs)
        {
            final String score = Double.toString(Priority.key(c.urgency(), c.impact(), openedAtMs));
            final Object created = jedis.evalsha(openSha, List.of("q:" + c.skill(), "c:" + c.id()), List.of(score, c.skill(), c.id()));
            if (((Long)created) == 0)
            {
                throw new IllegalStateException("ALREADY_EXISTS");
            }
        }

        @Override
        public String nextBest(final Agent agent, final int waitMs)
        {
            final List<String> keys = new ArrayList<>(agent.skills().size());
            for (final String skill : agent.skills())
            {
                keys.add("q:" + skill);
            }
            return (String)jedis.evalsha(nextSha, keys, List.of(agent.id()));
        }

        @Override
        public void resolve(final Agent agent, final String id)
        {
            jedis.del("c:" + id);
        }

        @Override
        public void release(final Agent agent, final String id)
        {
            jedis.evalsha(releaseSha, List.of("c:" + id), List.of(id));
        }

        @Override
        public long[] depthAndOldestWait()
        {
            return new long[] { (Long)jedis.evalsha(depthSha, List.of(), List.of()), -1 };
        }

        @Override
        public void close()
        {
            jedis.close();
        }
    }
}
