/** Transport-neutral HTTP handlers, routes, the OTLP/HTTP receiver and the default Netty HTTP/1.1 server. */
package io.spanfold.otlp.http;
