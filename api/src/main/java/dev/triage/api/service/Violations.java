package dev.triage.api.service;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Collects what is wrong with a request, field by field, into one INVALID_ARGUMENT with google.rpc.BadRequest
 * details. Nothing of an invalid request reaches the engine.
 */
public final class Violations
{
    /** Ids: 1..128 characters, letters, digits and {@code . _ : @ / -} (checked by {@link #isId}, on every item of a bulk ingest). */
    static final int MAX_ID_LENGTH = dev.triage.engine.ground.Limits.MAX_ID_LENGTH;
    static final int MAX_SKILLS = dev.triage.engine.ground.Limits.MAX_SKILLS_PER_ITEM;
    /** Violations reported per request; the count of the rest is given. */
    static final int MAX_REPORTED = 10;
    /** Characters of a field path or description reported. */
    static final int MAX_TEXT = 160;

    private final BadRequest.Builder badRequest = BadRequest.newBuilder();

    /**
     * @param condition what must hold.
     * @param field the field's path, e.g. {@code skills[2]}.
     * @param description what is wrong.
     * @return this.
     */
    Violations require(final boolean condition, final String field, final String description)
    {
        if (!condition)
        {
            badRequest.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description));
        }
        return this;
    }

    Violations id(final String value, final String field)
    {
        return require(isId(value), field, "must be 1..128 characters of A-Z a-z 0-9 . _ : @ / -");
    }

    public static boolean isId(final String value)
    {
        final int length = value.length();
        if (length == 0 || length > MAX_ID_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' ||
                c == '@' || c == '/' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    Violations skills(final java.util.List<String> names, final String field)
    {
        require(names.size() <= MAX_SKILLS, field, "at most " + MAX_SKILLS + " skills");
        for (int i = 0; i < names.size(); i++)
        {
            id(names.get(i), field + "[" + i + "]");
        }
        return this;
    }

    /**
     * @return null if the request is valid, else the error to send.
     */
    StatusRuntimeException toException()
    {
        final int count = badRequest.getFieldViolationsCount();
        if (count == 0)
        {
            return null;
        }
        // The first few are enough to fix a request, and the trailers must stay well under HTTP/2's 8 KiB header
        // limit (past it clients get INTERNAL or hang instead of the error).
        final BadRequest.Builder shown = BadRequest.newBuilder();
        final StringBuilder message = new StringBuilder("invalid request: ");
        for (int i = 0; i < Math.min(count, MAX_REPORTED); i++)
        {
            final BadRequest.FieldViolation v = badRequest.getFieldViolations(i);
            final BadRequest.FieldViolation capped = BadRequest.FieldViolation.newBuilder()
                .setField(clip(v.getField())).setDescription(clip(v.getDescription())).build();
            shown.addFieldViolations(capped);
            message.append(i == 0 ? "" : "; ").append(capped.getField()).append(' ').append(capped.getDescription());
        }
        if (count > MAX_REPORTED)
        {
            message.append("; and ").append(count - MAX_REPORTED).append(" more");
        }
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage(message.toString())
            .addDetails(Any.pack(shown.build()))
            .build());
    }

    private static String clip(final String s)
    {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }
}
