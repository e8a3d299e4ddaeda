package dev.triage.api.server;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that do not parse as the method's request message are answered INVALID_ARGUMENT. gRPC-Java would answer
 * UNKNOWN ("Application error processing RPC") and log a stack trace per request: a parse failure is thrown where
 * the application's listener is called. Here each method's request marshaller returns a marker message instead of
 * throwing, and the call's handler closes a call that received the marker; one log line at most every ten seconds
 * counts them.
 */
final class MalformedRequests
{
    private static final System.Logger LOG = System.getLogger(MalformedRequests.class.getName());
    /** Field 536870911 (the largest), varint 1: a message no client sends, parsed once per method as its marker. */
    private static final byte[] MARKER_BYTES = { (byte)0xF8, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x0F, 0x01 };
    private static final AtomicLong REFUSED = new AtomicLong();
    private static volatile long lastLogNanos;

    private MalformedRequests()
    {
    }

    /**
     * @param service a service definition.
     * @return the same service, answering unparseable requests with INVALID_ARGUMENT.
     */
    static ServerServiceDefinition guard(final ServerServiceDefinition service)
    {
        final ServiceDescriptor descriptor = service.getServiceDescriptor();
        final ServiceDescriptor.Builder guardedDescriptor = ServiceDescriptor.newBuilder(descriptor.getName())
            .setSchemaDescriptor(descriptor.getSchemaDescriptor());
        final java.util.List<ServerMethodDefinition<?, ?>> guarded = new java.util.ArrayList<>();
        for (final ServerMethodDefinition<?, ?> method : service.getMethods())
        {
            final ServerMethodDefinition<?, ?> g = guard(method);
            guardedDescriptor.addMethod(g.getMethodDescriptor());
            guarded.add(g);
        }
        final ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(guardedDescriptor.build());
        for (final ServerMethodDefinition<?, ?> g : guarded)
        {
            builder.addMethod(g);
        }
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> guard(final ServerMethodDefinition<Q, R> method)
    {
        final MethodDescriptor<Q, R> original = method.getMethodDescriptor();
        final MethodDescriptor.Marshaller<Q> parser = original.getRequestMarshaller();
        final Q marker = parser.parse(new ByteArrayInputStream(MARKER_BYTES));
        final MethodDescriptor<Q, R> guarded = original.toBuilder().setRequestMarshaller(new MethodDescriptor.Marshaller<>()
        {
            @Override
            public InputStream stream(final Q value)
            {
                return parser.stream(value);
            }

            @Override
            public Q parse(final InputStream stream)
            {
                try
                {
                    return parser.parse(stream);
                }
                catch (final RuntimeException e)
                {
                    return marker;
                }
            }
        }).build();
        final ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(guarded, (call, headers) -> refusingMarker(call, headers, handler, marker));
    }

    private static <Q, R> ServerCall.Listener<Q> refusingMarker(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> handler, final Q marker)
    {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(handler.startCall(call, headers))
        {
            private boolean refused;

            @Override
            public void onMessage(final Q message)
            {
                if (refused)
                {
                    return;
                }
                if (message == marker)
                {
                    refused = true;
                    refuse(call);
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose()
            {
                if (!refused)
                {
                    super.onHalfClose();
                }
            }
        };
    }

    private static void refuse(final ServerCall<?, ?> call)
    {
        final String method = call.getMethodDescriptor().getBareMethodName();
        call.close(Status.INVALID_ARGUMENT.withDescription("malformed request: the bytes are not a valid " +
            call.getMethodDescriptor().getFullMethodName().replace('/', '.') + " request message"), new Metadata());
        final long refused = REFUSED.incrementAndGet();
        final long now = System.nanoTime();
        if (now - lastLogNanos > 10_000_000_000L)
        {
            lastLogNanos = now;
            LOG.log(System.Logger.Level.WARNING, "refused malformed requests (not valid protobuf): " + refused +
                " since start, latest to " + method + " from " + call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        }
    }
}
