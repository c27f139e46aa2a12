package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A default node id must be a valid lease owner whatever the host and supervisor names: else no lease is acquired. */
class DefaultNodeIdTest {

    @Test
    void keepsShortNamesWhole() {
        assertThat(Supervisor.defaultNodeId("web-1", 4242, "/shop", 0xcafe)).isEqualTo("web-1:4242:/shop:cafe");
    }

    /** A host name may have 255 characters (a fully qualified one), the holder column too. */
    @Test
    void fitsALeaseOwnerWithTheLongestHostAndSupervisorNames() {
        String id = Supervisor.defaultNodeId("h".repeat(255), Long.MAX_VALUE, "s".repeat(300), -1);

        assertThat(id).hasSizeLessThanOrEqualTo(LeaseStore.MAX_NAME_LENGTH)
                .isEqualTo("h".repeat(100) + ":" + Long.MAX_VALUE + ":" + "s".repeat(100) + ":ffffffff");
    }

    /** A name cut inside a surrogate pair would end with half a character, which no database stores as sent. */
    @Test
    void neverCutsASurrogatePairInHalf() {
        String emoji = "\uD83D\uDE80"; // one character in two chars
        String name = "s".repeat(99) + emoji + "tail";
        String host = "h".repeat(99) + emoji + "tail";

        String id = Supervisor.defaultNodeId(host, 1, name, 0);

        assertThat(id).isEqualTo("h".repeat(99) + ":1:" + "s".repeat(99) + ":0");
    }
}
