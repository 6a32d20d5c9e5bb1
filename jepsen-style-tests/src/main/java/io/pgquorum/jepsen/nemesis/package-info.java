/** The nemesis: plays a fault schedule against a cluster driver and records it in the history. */
package io.pgquorum.jepsen.nemesis;
