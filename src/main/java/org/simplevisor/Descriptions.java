package org.simplevisor;

/** How the library names an object of the application's in its messages. */
final class Descriptions {

    private Descriptions() {
    }

    /**
     * {@return what the object says of itself, or its class and identity when its {@code toString()} throws} That is
     * the application's code (an exception whose {@code getMessage()} fails, say), called where a failure must not
     * lose the event, alert or shutdown step the message is for.
     */
    static String of(Object object) {
        try {
            return String.valueOf(object);
        } catch (RuntimeException | LinkageError e) {
            return object.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(object))
                    + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }
}
