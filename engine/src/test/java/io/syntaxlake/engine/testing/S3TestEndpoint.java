package io.syntaxlake.engine.testing;

import io.syntaxlake.engine.S3Store;
import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * A real S3-compatible endpoint for tests: S3Proxy in process, on a free port, over an in-memory
 * blob store with one bucket. Shared with other modules through the engine's test jar.
 */
public final class S3TestEndpoint implements AutoCloseable {
    private final S3Proxy proxy;
    private final S3Store store;

    private S3TestEndpoint(S3Proxy proxy, S3Store store) {
        this.proxy = proxy;
        this.store = store;
    }

    public static S3TestEndpoint start(String bucket) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.identity", "");
        properties.setProperty("jclouds.credential", "");
        BlobStore blobs = org.gaul.s3proxy.BlobStores.create("transient", properties);
        blobs.createContainer(bucket);
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs)
                .awsAuthentication(AuthenticationType.NONE, null, null)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!proxy.getState().equals("STARTED")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.onSpinWait();
        }
        S3Store store = S3Store.ofEndpoint(bucket, URI.create("http://127.0.0.1:" + proxy.getPort()), "us-east-1",
                "test-access-key", "test-secret-key");
        return new S3TestEndpoint(proxy, store);
    }

    /** The bucket as a store to register in a session. */
    public S3Store store() {
        return store;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
