package dev.tern.client.example;

import dev.tern.client.BlockingClient;
import dev.tern.client.Message;
import dev.tern.client.Subscription;
import dev.tern.client.TernClient;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public class TernSample {
    public static void main(String[] args) throws Exception {
        String topic    = "MQTT Examples";
        String content  = "Message from TernSample";
        int qos         = 2;
        String broker   = args.length > 0 ? args[0] : "mqtt://127.0.0.1:1883";
        String clientId = "JavaSample";

        try (BlockingClient client = TernClient.builder()
                .serverUri(broker)
                .clientId(clientId)
                .cleanStart(true)
                .will(Message.of("MQTT Examples/status", clientId + " went away", 1, false))
                .buildBlocking()) {
            System.out.println("Connecting to broker: " + broker);
            client.connect();
            System.out.println("Connected");

            CountDownLatch received = new CountDownLatch(1);
            client.subscribe(Subscription.of(topic, qos), message -> {
                System.out.println("Received on " + message.topic() + ": " + message.payloadAsString());
                received.countDown();
            });

            System.out.println("Publishing message: " + content);
            client.publish(Message.of(topic, content, qos, false));
            System.out.println("Message published");

            received.await(10, TimeUnit.SECONDS);
            client.disconnect();
            System.out.println("Disconnected");
        }
    }
}
