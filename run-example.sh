#!/bin/sh
# Runs the example web application in a standalone Apache Tomcat 11 on 127.0.0.1, with remote JMX open for
# JConsole and VisualVM. A JDK (17 or later) is the only prerequisite: ./mvnw fetches Maven, Maven fetches the rest,
# Tomcat included (org.apache.tomcat:tomcat from Maven Central).
#
#   1. builds the library and installs it in the local Maven repository (its tests are "./mvnw verify"'s job);
#   2. builds the example WAR and unpacks Tomcat 11 into webapp-example/target/run;
#   3. lays out CATALINA_BASE (webapp-example/target/run/base) with tomcat-config/ applied, deploys the WAR, starts
#      "catalina.sh run" in the foreground and, once the status page answers, prints its address, the JMX address
#      and the credentials.
#
# Ctrl-C stops Tomcat. Other ports: HTTP_PORT=8080 JMX_PORT=9010 JMX_RMI_PORT=9011 ./run-example.sh
# Prometheus: METRICS_PORT=9404 ./run-example.sh attaches the Prometheus JMX exporter (jmx_prometheus_javaagent) with
# tomcat-config/jmx-exporter.yaml; scrape http://127.0.0.1:9404/metrics. CATALINA_OPTS and JAVA_OPTS are passed on to
# Tomcat as catalina.sh would (e.g. another -javaagent).
set -eu
cd "$(dirname "$0")"

echo "==> Building the library (the first run also downloads Maven and the dependencies)"
./mvnw -B -ntp -q install -DskipTests -Djacoco.skip=true -Dinvoker.skip=true
echo "==> Building the example WAR and installing Apache Tomcat 11 from Maven Central"
./mvnw -B -ntp -q -f webapp-example/pom.xml -Prun package

if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
echo "==> Starting Tomcat"
exec "$JAVA" -cp webapp-example/target/test-classes org.simplevisor.example.tomcat.RunExample \
  --tomcat-home=webapp-example/target/run \
  --base=webapp-example/target/run/base \
  --config=tomcat-config \
  --war=webapp-example/target/simplevisor-example.war \
  --http-port="${HTTP_PORT:-8080}" \
  --jmx-port="${JMX_PORT:-9010}" \
  --jmx-rmi-port="${JMX_RMI_PORT:-9011}" \
  --metrics-port="${METRICS_PORT:-0}" \
  --exporter-agent=webapp-example/target/run/jmx_prometheus_javaagent.jar \
  --pid-file=webapp-example/target/run/tomcat.pid
