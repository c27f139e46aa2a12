#!/bin/sh
# simplevisor: remote JMX for JConsole and VisualVM, bound to 127.0.0.1 only, with authentication.
#
# Goes to $CATALINA_BASE/bin/setenv.sh (catalina.sh sources it; $CATALINA_HOME/bin/setenv.sh when there is no
# separate base). It only adds to CATALINA_OPTS, which catalina.sh uses for "start" and "run" but not for "stop",
# so stopping Tomcat does not try to open the JMX port a second time.
#
# Connect with:  service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi   (user monitor: read-only; control: read-write)
#
# Ports (fixed, so that a firewall rule or an SSH tunnel can name them; override in the environment):
#   JMX_PORT      the RMI registry JConsole connects to                 (default 9010)
#   JMX_RMI_PORT  the RMI server the registry hands out (else a random port)   (default 9011)
# SSL: see tomcat-config/README.md, "Turning on SSL".

JMX_PORT="${JMX_PORT:-9010}"
JMX_RMI_PORT="${JMX_RMI_PORT:-9011}"

# The JVM refuses to start when the password file can be read by anyone but its owner.
if [ -f "$CATALINA_BASE/conf/jmxremote.password" ]; then
  chmod 600 "$CATALINA_BASE/conf/jmxremote.password" 2>/dev/null || true
fi

# com.sun.management.jmxremote.host binds both the registry and the RMI server to the loopback interface;
# java.rmi.server.hostname is the address written into the stubs that clients then connect to.
CATALINA_OPTS="$CATALINA_OPTS \
 -Dcom.sun.management.jmxremote.host=127.0.0.1 \
 -Djava.rmi.server.hostname=127.0.0.1 \
 -Dcom.sun.management.jmxremote.port=$JMX_PORT \
 -Dcom.sun.management.jmxremote.rmi.port=$JMX_RMI_PORT \
 -Dcom.sun.management.jmxremote.authenticate=true \
 -Dcom.sun.management.jmxremote.password.file=\"$CATALINA_BASE/conf/jmxremote.password\" \
 -Dcom.sun.management.jmxremote.access.file=\"$CATALINA_BASE/conf/jmxremote.access\" \
 -Dcom.sun.management.jmxremote.ssl=false \
 -Dcom.sun.management.jmxremote.registry.ssl=false"

# To turn SSL on, replace the last two lines above with these (and see the README for the keystore):
#  -Dcom.sun.management.jmxremote.ssl=true \
#  -Dcom.sun.management.jmxremote.registry.ssl=true \
#  -Djavax.net.ssl.keyStore=\"$CATALINA_BASE/conf/jmx-keystore.p12\" \
#  -Djavax.net.ssl.keyStorePassword=changeit"
