/** The {@code tern} command line: {@code tern broker} and, later, the client tools. */
@NullMarked
package dev.tern.cli;

import org.jspecify.annotations.NullMarked;
