import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Times the one-node pooling models of make_models.py with ONNX Runtime's Java API, one intra-op
 * thread: the median of 7 runs of 200 calls (after 300 warm-up calls), in ms per call, including
 * the API's per-call cost (~4 us). Run from this folder with the jar from Maven Central
 * (com.microsoft.onnxruntime:onnxruntime, e.g. 1.20.0): {@code java -cp onnxruntime-1.20.0.jar OrtPool.java}
 */
public class OrtPool {
    /** Model name, channels, height = width; as in make_models.py. */
    private static final Object[][] SHAPES = {
        {"maxpool2x2.64x112", 64, 112}, {"avgpool3x3s1.64x56", 64, 56}, {"resnet18.maxpool", 64, 112},
        {"vgg16.pool1", 64, 224}, {"lenet5.pool1", 6, 28}, {"densenet.avgpool2x2", 128, 56}};

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        System.out.println("onnxruntime " + env.getVersion() + ", 1 intra-op thread");
        for (Object[] shape : SHAPES) {
            String name = (String) shape[0];
            int c = (Integer) shape[1];
            int hw = (Integer) shape[2];
            float[] data = new float[c * hw * hw];
            Random r = new Random(1);
            for (int i = 0; i < data.length; i++) {
                data[i] = r.nextFloat();
            }
            try (OrtSession session = env.createSession(name + ".onnx", options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {1, c, hw, hw})) {
                Map<String, OnnxTensor> inputs = Map.of("x", x);
                for (int i = 0; i < 300; i++) {
                    session.run(inputs).close();
                }
                double[] runs = new double[7];
                for (int k = 0; k < runs.length; k++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 200; i++) {
                        session.run(inputs).close();
                    }
                    runs[k] = (System.nanoTime() - t0) / 200e6;
                }
                Arrays.sort(runs);
                System.out.printf("%-20s %.4f ms%n", name, runs[3]);
            }
        }
    }
}
