package org.simplevisor.servlet.it.app;

import jakarta.annotation.PostConstruct;
import org.simplevisor.Supervised;
import org.simplevisor.servlet.it.ItJournal;

/** Found in WEB-INF/classes; name "annotatedTicker" by default. */
@Supervised
public class AnnotatedTicker extends JournalingProcess {

    @PostConstruct
    public void alsoConstructed() {
        ItJournal.record("postConstruct2:AnnotatedTicker");
    }
}
