/** {@code pgctl}: the command-line tool for a pgquorum cluster (patronictl's equivalent). */
package io.pgquorum.pgctl;
