package dev.triage.api;

import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a server stream sent, collected from any thread, and its end (or error) as a future.
 *
 * @param <T> message type.
 */
final class Collected<T> implements StreamObserver<T>
{
    final List<T> values = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    public void onNext(final T value)
    {
        values.add(value);
    }

    @Override
    public void onError(final Throwable t)
    {
        done.completeExceptionally(t);
    }

    @Override
    public void onCompleted()
    {
        done.complete(null);
    }

    /**
     * @param seconds how long the stream may take to end.
     * @return everything it sent.
     * @throws Exception if it failed or did not end in time.
     */
    List<T> await(final long seconds) throws Exception
    {
        done.get(seconds, TimeUnit.SECONDS);
        return values;
    }
}
