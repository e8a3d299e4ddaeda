package dev.triage.engine.book;

/**
 * The outcome of one best-eligible search, reused by the processor (no allocation per search).
 */
public final class Selection
{
    int bestHandle;
    long bestScoreUnits;
    long bestTie;
    int bestClassId;
    int runnerUpHandle;
    long runnerUpScoreUnits;
    long runnerUpTie;
    long candidates;

    void reset()
    {
        bestHandle = -1;
        bestClassId = -1;
        runnerUpHandle = -1;
        candidates = 0;
    }

    void consider(final int handle, final long score, final long tie, final int classId)
    {
        if (bestHandle < 0 || better(score, tie, bestScoreUnits, bestTie))
        {
            if (bestHandle >= 0)
            {
                considerRunnerUp(bestHandle, bestScoreUnits, bestTie);
            }
            bestHandle = handle;
            bestScoreUnits = score;
            bestTie = tie;
            bestClassId = classId;
        }
        else
        {
            considerRunnerUp(handle, score, tie);
        }
    }

    void considerRunnerUp(final int handle, final long score, final long tie)
    {
        if (runnerUpHandle < 0 || better(score, tie, runnerUpScoreUnits, runnerUpTie))
        {
            runnerUpHandle = handle;
            runnerUpScoreUnits = score;
            runnerUpTie = tie;
        }
    }

    /**
     * @return true if (score1, tie1) ranks before (score2, tie2): higher score, then earlier open.
     */
    static boolean better(final long score1, final long tie1, final long score2, final long tie2)
    {
        return score1 > score2 || (score1 == score2 && tie1 < tie2);
    }
}
