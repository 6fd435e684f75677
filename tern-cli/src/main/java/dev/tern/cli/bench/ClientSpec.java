package dev.tern.cli.bench;

/**
 * One connection of a scenario.
 *
 * @param role     what it does
 * @param index    its index among the connections of its role (0-based), the {@code %i} of patterns
 * @param clientId MQTT client id
 * @param topic    topic name (publisher) or filter (subscriber); empty for idle connections
 */
record ClientSpec(Role role, int index, String clientId, String topic) {
    /** The topic of a publisher that spreads over the fleet's topics ({@link FleetWorkload#topics}). */
    static final String FLEET_TOPICS = "\0fleet";
}
