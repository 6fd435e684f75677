/** Test-only helpers shared by every Tern module's tests. */
@NullMarked
package dev.tern.testkit;

import org.jspecify.annotations.NullMarked;
