package dev.triage.api.service;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

import java.util.regex.Pattern;

/**
 * Collects what is wrong with a request, field by field, into one INVALID_ARGUMENT with google.rpc.BadRequest
 * details. Nothing of an invalid request reaches the engine.
 */
final class Violations
{
    /** Ids: 1..128 characters, letters, digits and {@code . _ : @ / -}. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@/-]{1,128}");
    static final int MAX_SKILLS = 16;

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
        return require(ID.matcher(value).matches(), field, "must be 1..128 characters of A-Z a-z 0-9 . _ : @ / -");
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
        if (badRequest.getFieldViolationsCount() == 0)
        {
            return null;
        }
        final StringBuilder message = new StringBuilder("invalid request: ");
        for (int i = 0; i < badRequest.getFieldViolationsCount(); i++)
        {
            final BadRequest.FieldViolation v = badRequest.getFieldViolations(i);
            message.append(i == 0 ? "" : "; ").append(v.getField()).append(' ').append(v.getDescription());
        }
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage(message.toString())
            .addDetails(Any.pack(badRequest.build()))
            .build());
    }
}
