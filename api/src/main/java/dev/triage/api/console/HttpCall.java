package dev.triage.api.console;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One HTTP request on the metrics and console port, and its answer: what a handler of that port sees, whichever
 * server carries it. Handlers run on the port's worker threads, never on its event loop, so they may wait.
 */
public interface HttpCall
{
    /**
     * @return the request method, as sent.
     */
    String method();

    /**
     * @return the request path, decoded.
     */
    String path();

    /**
     * @return the raw query string, or null.
     */
    String rawQuery();

    /**
     * @param name a header name (any case).
     * @return its first value, or null.
     */
    String header(String name);

    /**
     * @param name a header name (any case).
     * @return all its values.
     */
    List<String> headers(String name);

    /**
     * @return the client's address.
     */
    InetSocketAddress remote();

    /**
     * Set a response header; before {@link #respond}.
     *
     * @param name the header.
     * @param value its value.
     */
    void responseHeader(String name, String value);

    /**
     * Send the answer; exactly once.
     *
     * @param status the HTTP status.
     * @param contentType the body's type, or null for none.
     * @param body the body (may be empty).
     */
    void respond(int status, String contentType, byte[] body);
}
