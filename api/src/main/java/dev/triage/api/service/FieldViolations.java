package dev.triage.api.service;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.protobuf.StatusProto;

import java.util.ArrayList;
import java.util.List;

/**
 * The field violations an INVALID_ARGUMENT carries as google.rpc.BadRequest details, read back: the Session stream
 * copies them into its per-request error, the command line prints them.
 */
public final class FieldViolations
{
    private FieldViolations()
    {
    }

    /**
     * @param failure a gRPC failure (a StatusRuntimeException or StatusException).
     * @return its field violations, in order; empty when it carries none.
     */
    public static List<BadRequest.FieldViolation> of(final Throwable failure)
    {
        final List<BadRequest.FieldViolation> violations = new ArrayList<>();
        final com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        if (status == null)
        {
            return violations;
        }
        for (final Any detail : status.getDetailsList())
        {
            if (detail.is(BadRequest.class))
            {
                try
                {
                    violations.addAll(detail.unpack(BadRequest.class).getFieldViolationsList());
                }
                catch (final InvalidProtocolBufferException ignored)
                {
                    // A detail that does not unpack adds nothing; the status message still says what is wrong.
                }
            }
        }
        return violations;
    }
}
