package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.Supervisor;

/**
 * The shipped {@code tomcat-config/jmx-exporter.yaml}, applied as the Prometheus JMX exporter applies it, to the MBeans
 * {@link SupervisorMeterMBeans} registers for processes and groups with odd names: each series has its documented name
 * and exactly its documented labels, the name's value among them. The exporter matches each rule's pattern, as
 * {@code ^.*(?:<pattern>).*$}, against {@code domain<key=value, ...><composite attribute>item: value}, the keys in the
 * order of the name's key property list and their values as that list spells them (a quoted one with its quotes).
 */
class JmxExporterRulesTest {

    private static final String DOMAIN = "exporter.rules";
    /** A property of a key property list, as the exporter's JmxMBeanPropertyCache reads it. */
    private static final Pattern PROPERTY = Pattern.compile(
            "([^,=:*?]+)=(\"(?:[^\\\\\"]|\\\\\\\\|\\\\n|\\\\\"|\\\\\\?|\\\\\\*)*\"|[^,=:\"]*)");

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final List<String> odd = List.of("plain", "a,b", "a=b", "say \"hi\"", "st*r?", "new\nline",
            "back\\slash", "ünïcødé ☃", "a>b<c", "a: b", "x".repeat(300),
            "x, process_name=y", "x, restart_policy=y", "a, context=/z", "g, group=h", "q=\", restart_policy=\"r");
    private final Supervisor supervisor = groupsNamed(odd);

    private static Supervisor groupsNamed(List<String> names) {
        Supervisor.Builder builder = Supervisor.builder().name("exporter-rules");
        names.forEach(name -> builder.group(name, GroupStrategy.ONE_FOR_ONE));
        return builder.build();
    }

    @AfterEach
    void tearDown() {
        supervisor.shutdown();
    }

    @Test
    void everySeriesOfAnOddlyNamedProcessOrGroupHasItsDocumentedNameAndLabels() throws Exception {
        for (String name : odd) {
            supervisor.register(name, ProcessContext::awaitCancellation, ProcessOption.inGroup(name));
        }
        try (SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, server, DOMAIN,
                Map.of("context", "/app"))) {
            List<String> series = scrape();

            List<String> expected = new ArrayList<>();
            for (String name : odd) {
                String label = labelValue(name);
                String process = "context=/app,process_name=" + label;
                expected.add("simplevisor_processes_running{" + process + ",restart_policy=never}");
                expected.add("simplevisor_process_restart_count{" + process + "}");
                expected.add("simplevisor_process_status{" + process + "}");
                expected.add("simplevisor_process_started_total{" + process + ",restart_policy=never}");
                expected.add("simplevisor_process_restarted_total{" + process + ",restart_policy=never}");
                for (String reason : List.of("completed", "failed", "crashed", "cancelled", "shutdown", "manual",
                        "group")) {
                    expected.add("simplevisor_process_stopped_total{" + process + ",reason=" + reason + "}");
                }
                expected.add("simplevisor_process_panics_total{" + process + "}");
                expected.add("simplevisor_restart_limit_exceeded_total{context=/app,max_restarts=3,process_name="
                        + label + "}");
                expected.add("simplevisor_shutdown_timeouts_total{" + process + "}");
                expected.add("simplevisor_group_restarted_total{context=/app,group=" + label + "}");
            }
            assertThat(series).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /** {@return the label value of a name: itself, or if JMX had to quote it, its quoted form without the quotes} */
    private static String labelValue(String name) {
        String quoted = ObjectName.quote(name);
        boolean needsQuotes = name.chars().anyMatch(c -> ",=:\"*?\n".indexOf(c) >= 0);
        return needsQuotes ? quoted.substring(1, quoted.length() - 1) : name;
    }

    /** {@return every series the rules make of the MBeans, as {@code name{label=value,...}}, labels in name order} */
    private List<String> scrape() throws Exception {
        List<Rule> rules = Rule.shipped();
        List<String> series = new ArrayList<>();
        for (ObjectName name : server.queryNames(new ObjectName(DOMAIN + ":type=simplevisor.*,*"), null)) {
            String bean = name.getDomain() + "<" + String.join(", ", properties(name)) + ">";
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                Object value = server.getAttribute(name, attribute.getName());
                if (value instanceof CompositeData items) {
                    for (String item : items.getCompositeType().keySet()) {
                        series.add(Rule.apply(rules, bean + "<" + attribute.getName() + ">" + item + ": "
                                + items.get(item)));
                    }
                } else {
                    series.add(Rule.apply(rules, bean + "<>" + attribute.getName() + ": " + value));
                }
            }
        }
        return series;
    }

    private static List<String> properties(ObjectName name) {
        List<String> properties = new ArrayList<>();
        String rest = name.getKeyPropertyListString();
        Matcher property = PROPERTY.matcher(rest);
        while (property.lookingAt()) {
            properties.add(property.group(1) + "=" + property.group(2));
            rest = rest.substring(property.end());
            rest = rest.startsWith(",") ? rest.substring(1) : rest;
            property.reset(rest);
        }
        return properties;
    }

    /** One rule of the shipped file: its pattern, name and labels. */
    private record Rule(Pattern pattern, String name, Map<String, String> labels) {

        private static final Pattern PATTERN_LINE = Pattern.compile("^\\s*- pattern: '(.*)'$");
        private static final Pattern NAME_LINE = Pattern.compile("^\\s+name: (.*)$");
        private static final Pattern LABEL_LINE = Pattern.compile("^\\s+\"?([^\":]+)\"?: \"(.*)\"$");

        static List<Rule> shipped() throws Exception {
            List<Rule> rules = new ArrayList<>();
            String pattern = null;
            String name = null;
            Map<String, String> labels = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of("tomcat-config/jmx-exporter.yaml"))) {
                Matcher m;
                if ((m = PATTERN_LINE.matcher(line)).matches()) {
                    if (pattern != null) {
                        rules.add(new Rule(Pattern.compile("^.*(?:" + pattern + ").*$"), name, labels));
                    }
                    pattern = m.group(1);
                    labels = new LinkedHashMap<>();
                } else if ((m = NAME_LINE.matcher(line)).matches()) {
                    name = m.group(1);
                } else if (pattern != null && (m = LABEL_LINE.matcher(line)).matches()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            rules.add(new Rule(Pattern.compile("^.*(?:" + pattern + ").*$"), name, labels));
            assertThat(rules).hasSize(7);
            return rules;
        }

        /** {@return the series the first matching rule makes, as the exporter makes it; a label twice shows twice} */
        static String apply(List<Rule> rules, String input) {
            for (Rule rule : rules) {
                Matcher m = rule.pattern.matcher(input);
                if (!m.matches()) {
                    continue;
                }
                List<String> labels = new ArrayList<>();
                rule.labels.forEach((key, value) -> {
                    String labelName = m.replaceAll(key);
                    String labelValue = m.replaceAll(value);
                    if (!labelName.isEmpty() && !labelValue.isEmpty()) { // as the exporter: an empty one is left out
                        labels.add(labelName + "=" + labelValue);
                    }
                });
                labels.sort(null);
                return m.replaceAll(rule.name) + "{" + String.join(",", labels) + "}";
            }
            return "no rule matches " + input;
        }
    }
}
