package dev.triage.api.auth;

import io.grpc.CallCredentials;
import io.grpc.Metadata;

import java.util.concurrent.Executor;

/**
 * Client side of token auth: sends {@code authorization: Bearer <token>} with every call.
 */
public final class BearerCredentials extends CallCredentials
{
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String token;

    /**
     * @param token the bearer token.
     */
    public BearerCredentials(final String token)
    {
        this.token = token;
    }

    @Override
    public void applyRequestMetadata(final RequestInfo info, final Executor executor, final MetadataApplier applier)
    {
        final Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        applier.apply(headers);
    }
}
