package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ObjectNames (docs/contract.md, JMX): keys in order, values quoted only when they must be. */
class JmxNamesTest {

    @ParameterizedTest(name = "context {1}, process {2}")
    @CsvSource(delimiter = '|', textBlock = """
            org.simplevisor | billing     | ticker        | billing     | ticker
            org.simplevisor | /           | import,export | /           | "import,export"
            app             | /shop/admin | mail sender   | /shop/admin | mail sender
            """)
    void supervisorAndProcessNamesHaveTheirKeysInOrderAndQuoteOnlyWhatMustBe(String domain, String context,
            String process, String contextValue, String nameValue) {
        assertThat(SupervisorJmx.supervisorObjectName(domain, context))
                .hasToString(domain + ":type=Supervisor,context=" + contextValue);
        assertThat(SupervisorJmx.processObjectName(domain, context, process))
                .hasToString(domain + ":type=Process,context=" + contextValue + ",name=" + nameValue);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a,b", "a=b", "a:b", "a\"b", "a*b", "a?b", "a\nb"})
    void valuesWithSpecialCharactersAreQuotedAndReadBack(String value) throws Exception {
        ObjectName name = SupervisorJmx.processObjectName("org.simplevisor", value, value);

        assertThat(name.toString()).contains("context=" + ObjectName.quote(value))
                .endsWith("name=" + ObjectName.quote(value));
        assertThat(name.isPattern()).isFalse();
        assertThat(ObjectName.unquote(name.getKeyProperty("context"))).isEqualTo(value);
        assertThat(ObjectName.unquote(name.getKeyProperty("name"))).isEqualTo(value);
    }

    @Test
    void otherCharactersStayAsTheyAre() {
        assertThat(JmxNames.quoteIfNeeded("a b\\c/d;e.f-g_h\u00e9")).isEqualTo("a b\\c/d;e.f-g_h\u00e9");
    }

    @Test
    void aDomainThatIsAPatternOrInvalidIsRefusedWithTheName() {
        assertThatThrownBy(() -> SupervisorJmx.supervisorObjectName("org.*", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("org.*:type=Supervisor");
        assertThatThrownBy(() -> SupervisorJmx.supervisorObjectName("a:b", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a:b:type=Supervisor");
    }
}
