package dev.tern.cli.client;

import java.util.Stack;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.IParameterConsumer;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code -D COMMAND IDENTIFIER VALUE} (or {@code -D COMMAND user-property NAME VALUE}) as
 * mosquitto's clients take it.
 *
 * @param command    connect, publish, subscribe, unsubscribe, disconnect or will
 * @param identifier the property name, e.g. {@code session-expiry-interval}
 * @param name       the first value (the user property's name)
 * @param value      the value (for user properties, the second one)
 */
public record PropertyOption(String command, String identifier, String name, String value) {
    /** Takes three or four arguments depending on the identifier. */
    public static final class Consumer implements IParameterConsumer {
        @Override
        @SuppressWarnings("unchecked")
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            if (args.size() < 3) {
                throw new UsageException("-D needs a command, an identifier and a value");
            }
            String command = args.pop();
            String identifier = args.pop();
            String first = args.pop();
            String value = first;
            if (identifier.equals("user-property")) {
                if (args.isEmpty()) {
                    throw new UsageException("-D " + command + " user-property needs a name and a value");
                }
                value = args.pop();
            }
            List<PropertyOption> list = argSpec.getValue();
            if (list == null) {
                list = new ArrayList<>();
            }
            list.add(new PropertyOption(command, identifier, first, value));
            argSpec.setValue(list);
        }
    }
}
