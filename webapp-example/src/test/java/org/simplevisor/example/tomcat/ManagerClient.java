package org.simplevisor.example.tomcat;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tomcat's manager text interface ({@code /manager/text}, role {@code manager-script}): deploy, undeploy, list,
 * findleaks. Each answer's first line is {@code OK - ...} or {@code FAIL - ...}; deploy and undeploy answer once
 * the application has started or stopped. While the host's background deployer ({@code autoDeploy}) is checking the
 * application, the manager refuses to deploy or undeploy it ({@code FAIL - ... is already being serviced}, followed,
 * for an undeploy, by an {@code OK} line although nothing was undeployed): such a request is sent again.
 */
public final class ManagerClient {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** How the manager says that the background deployer holds the application: the request did nothing. */
    private static final String IN_SERVICE = "is already being serviced";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String authorization;

    /**
     * @param tomcat the Tomcat, with the manager application and the user of {@code tomcat-config/}
     */
    public ManagerClient(StandaloneTomcat tomcat) throws IOException {
        this.base = tomcat.httpUrl() + "/manager/text";
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (StandaloneTomcat.MANAGER_USER + ":" + tomcat.managerPassword()).getBytes(StandardCharsets.UTF_8));
    }

    /** Deploys a WAR file from this machine at a context path. @return the answer */
    public String deploy(String path, Path war) {
        return getWhenNotInService(deployUri(path, war));
    }

    /**
     * Deploys a WAR file from this machine at a context path with a context descriptor of this machine, which the
     * manager copies to {@code conf/Catalina/localhost/}: it takes the place of the WAR's {@code META-INF/context.xml}
     * (e.g. to add context parameters, as an operator would).
     *
     * @return the answer
     */
    public String deploy(String path, Path war, Path contextXml) {
        return getWhenNotInService(deployUri(path, war) + "&config="
                + encode(contextXml.toAbsolutePath().toUri().toString()));
    }

    /** Same as {@link #deploy} without waiting for the answer. */
    public CompletableFuture<String> deployAsync(String path, Path war) {
        return http.sendAsync(request(deployUri(path, war)), HttpResponse.BodyHandlers.ofString())
                .thenApply(HttpResponse::body);
    }

    /**
     * Deploys a WAR file from this machine as one version of a parallel deployment: Tomcat runs every version at the
     * same context path, sending new sessions to the latest.
     *
     * @return the answer
     */
    public String deploy(String path, String version, Path war) {
        return getWhenNotInService(deployUri(path, war) + "&version=" + encode(version));
    }

    /** @return the answer */
    public String undeploy(String path) {
        return getWhenNotInService("/undeploy?path=" + encode(path));
    }

    /** Undeploys one version of a parallel deployment. @return the answer */
    public String undeploy(String path, String version) {
        return getWhenNotInService("/undeploy?path=" + encode(path) + "&version=" + encode(version));
    }

    /** @return the answer: a line per application, {@code path:state:sessions:name} */
    public String list() throws IOException, InterruptedException {
        return get("/list");
    }

    /**
     * Asks Tomcat to collect garbage and name the applications stopped since it started whose class loader is still
     * reachable. @return the answer, first line {@code OK - No memory leaks found} when there is none
     */
    public String findLeaks() throws IOException, InterruptedException {
        return get("/findleaks?statusLine=true");
    }

    private String deployUri(String path, Path war) {
        return "/deploy?path=" + encode(path) + "&war=" + encode(war.toAbsolutePath().toUri().toString());
    }

    /** {@return the answer to a deploy or undeploy, sent again while the background deployer holds the application} */
    private String getWhenNotInService(String pathAndQuery) {
        AtomicReference<String> answer = new AtomicReference<>();
        await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    answer.set(get(pathAndQuery));
                    return !answer.get().contains(IN_SERVICE);
                });
        return answer.get();
    }

    private String get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(pathAndQuery), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("manager " + pathAndQuery + " answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private HttpRequest request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .header("Authorization", authorization)
                .timeout(TIMEOUT)
                .GET()
                .build();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
