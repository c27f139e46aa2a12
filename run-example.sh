#!/bin/sh
# Runs the example web application in a standalone Apache Tomcat 11 on 127.0.0.1, with remote JMX open for
# JConsole and VisualVM. A JDK (17 or later) is the only prerequisite: ./mvnw fetches Maven, Maven fetches the rest,
# Tomcat included (org.apache.tomcat:tomcat from Maven Central).
#
#   1. builds the library and installs it in the local Maven repository (its tests are "./mvnw verify"'s job);
#   2. builds the example WAR and unpacks Tomcat 11 into webapp-example/target/run;
#   3. lays out CATALINA_BASE (webapp-example/target/run/base) with tomcat-config/ applied, deploys the WAR, starts
#      "catalina.sh run" in the foreground and, once the status page answers, prints its address, the JMX address,
#      the credentials and how to connect JConsole and VisualVM.
# Each step says what it downloads (the first run fetches Maven and about 100 MB of dependencies) and how long it
# took; Maven's full output is in webapp-example/target/run-example-build.log.
#
# ./run-example.sh --cluster runs the cluster mode instead: an H2 database server (TCP, 127.0.0.1:9092) and two
# Tomcat 11 nodes sharing it, node-1 (HTTP 8080, JMX 9010/9011) and node-2 (8081, 9012/9013), each deploying the
# example with webapp-example/cluster/simplevisor-example.xml: the singleton outbox-relay is RUNNING on one node and
# STANDBY on the other; stop or kill the node that runs it and it moves. DB_PORT=9092 chooses the database's port.
#
# Ctrl-C stops Tomcat (in the cluster mode: both nodes, then the database). Other ports: HTTP_PORT=8080 JMX_PORT=9010 JMX_RMI_PORT=9011 ./run-example.sh
# Prometheus: METRICS_PORT=9404 ./run-example.sh attaches the Prometheus JMX exporter (jmx_prometheus_javaagent) with
# tomcat-config/jmx-exporter.yaml; scrape http://127.0.0.1:9404/metrics. CATALINA_OPTS and JAVA_OPTS are passed on to
# Tomcat as catalina.sh would (e.g. another -javaagent).
set -eu
cd "$(dirname "$0")"
CLUSTER=0
case "${1:-}" in
  --cluster) CLUSTER=1 ;;
  "") ;;
  *) echo "usage: $0 [--cluster]" >&2; exit 2 ;;
esac

BUILD_LOG=webapp-example/target/run-example-build.log
mkdir -p webapp-example/target
: > "$BUILD_LOG"
# On a terminal the download line updates in place; in a log, one line per file.
if [ -t 1 ]; then TTY=1; else TTY=0; fi

# Runs Maven with its output in $BUILD_LOG, showing each file it downloads; on failure shows the log's end.
maven() {
  status_file=webapp-example/target/.run-example-status
  { ./mvnw -B "$@" 2>&1; echo $? > "$status_file"; } | tee -a "$BUILD_LOG" | awk -v tty="$TTY" '
    /^Downloaded from / {
      n++; file = $4; sub(/.*\//, "", file); size = $5 " " $6; sub(/^\(/, "", size)
      if (tty) printf "\r\033[K     %d downloaded, last %s (%s)", n, file, size
      else printf "     downloaded %s (%s)\n", file, size
      fflush(); next
    }
    /^\[ERROR\]/ { if (tty && n) { printf "\n"; n = 0 } print; fflush() }
    END { if (tty && n) printf "\n" }'
  status=$(cat "$status_file")
  rm -f "$status_file"
  if [ "$status" != 0 ]; then
    echo "Maven failed (exit $status); the end of $BUILD_LOG:" >&2
    tail -40 "$BUILD_LOG" >&2
    exit "$status"
  fi
}

phase_started=0
phase() {
  phase_started=$(date +%s)
  echo "==> $1"
}
phase_done() {
  echo "    done in $(( $(date +%s) - phase_started )) s"
}

maven_home="${MAVEN_USER_HOME:-$HOME/.m2}/wrapper/dists"
if ! ls -d "$maven_home"/apache-maven-3.9.11* >/dev/null 2>&1; then
  echo "==> Downloading Maven 3.9.11 for ./mvnw (once, about 9 MB)"
fi
phase "[1/3] Building the library and installing it in the local Maven repository"
maven install -DskipTests -Djacoco.skip=true -Dinvoker.skip=true -Djcstress.skip=true
phase_done
phase "[2/3] Building the example WAR and fetching Apache Tomcat 11, the Prometheus JMX exporter and H2"
maven -f webapp-example/pom.xml -Prun package
phase_done

if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
# The launcher, with what both modes share; each adds its own options.
launch() {
  exec "$JAVA" -cp webapp-example/target/test-classes org.simplevisor.example.tomcat.RunExample \
    --tomcat-home=webapp-example/target/run \
    --config=tomcat-config \
    --war=webapp-example/target/simplevisor-example.war \
    --http-port="${HTTP_PORT:-8080}" \
    --jmx-port="${JMX_PORT:-9010}" \
    --jmx-rmi-port="${JMX_RMI_PORT:-9011}" \
    "$@"
}
if [ "$CLUSTER" = 1 ]; then
  phase "[3/3] Starting the H2 database and two Tomcat nodes (the addresses follow once the example answers on both)"
  launch \
    --cluster=webapp-example/cluster/simplevisor-example.xml \
    --h2-jar=webapp-example/target/run/h2.jar \
    --db-port="${DB_PORT:-9092}" \
    --base=webapp-example/target/run/cluster \
    --banner-file=webapp-example/target/run/cluster-banner.txt
fi
phase "[3/3] Starting Tomcat (the addresses follow once the example answers)"
launch \
  --base=webapp-example/target/run/base \
  --metrics-port="${METRICS_PORT:-0}" \
  --exporter-agent=webapp-example/target/run/jmx_prometheus_javaagent.jar \
  --pid-file=webapp-example/target/run/tomcat.pid \
  --banner-file=webapp-example/target/run/banner.txt
