/** Checkers: each decides one property of a recorded history. */
package io.pgquorum.jepsen.checker;
