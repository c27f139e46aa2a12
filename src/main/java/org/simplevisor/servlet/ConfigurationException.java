package org.simplevisor.servlet;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An invalid simplevisor configuration of a web application: a context parameter or a {@code @Supervised}
 * class. The deployment fails with this exception before anything is started or registered. Its message names
 * every offending parameter (or annotated class) and its value, one per line when there are several.
 */
public final class ConfigurationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** What is wrong, one entry per parameter or class. */
    private final List<String> problems;

    /**
     * Reports several problems at once.
     *
     * @param problems what is wrong, one entry per parameter or class, each naming it and its value
     */
    public ConfigurationException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * Reports one problem.
     *
     * @param problem what is wrong, naming the parameter or class and its value
     * @param cause   the underlying failure, or {@code null}
     */
    public ConfigurationException(String problem, @Nullable Throwable cause) {
        super(message(List.of(problem)), cause);
        this.problems = List.of(problem);
    }

    /** {@return what is wrong, one entry per parameter or class} */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        if (problems.size() == 1) {
            return "Invalid simplevisor configuration: " + problems.get(0);
        }
        StringBuilder message = new StringBuilder("Invalid simplevisor configuration (")
                .append(problems.size()).append(" problems):");
        problems.forEach(problem -> message.append(System.lineSeparator()).append(" - ").append(problem));
        return message.toString();
    }
}
