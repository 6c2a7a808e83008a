/** The spanfold server jar: flags, wiring of receivers, consumers and the query port. */
package io.spanfold.examples.server;
