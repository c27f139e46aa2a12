package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ObjectNames (docs/contract.md, JMX): keys in order, values quoted only when they must be. */
class JmxNamesTest {

    @Test
    void supervisorAndProcessNamesHaveTheSpecKeysInOrder() {
        assertThat(SupervisorJmx.supervisorObjectName("org.simplevisor", "billing"))
                .hasToString("org.simplevisor:type=Supervisor,context=billing");
        assertThat(SupervisorJmx.processObjectName("org.simplevisor", "billing", "ticker"))
                .hasToString("org.simplevisor:type=Process,context=billing,name=ticker");
    }

    @Test
    void contextPathsAreNotQuoted() {
        assertThat(SupervisorJmx.supervisorObjectName("org.simplevisor", "/"))
                .hasToString("org.simplevisor:type=Supervisor,context=/");
        assertThat(SupervisorJmx.processObjectName("app", "/shop/admin", "mail sender"))
                .hasToString("app:type=Process,context=/shop/admin,name=mail sender");
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
    void aNameWithACommaIsQuoted() {
        assertThat(SupervisorJmx.processObjectName("org.simplevisor", "/", "import,export"))
                .hasToString("org.simplevisor:type=Process,context=/,name=\"import,export\"");
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
