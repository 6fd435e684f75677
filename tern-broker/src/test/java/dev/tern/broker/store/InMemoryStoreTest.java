package dev.tern.broker.store;

class InMemoryStoreTest extends StoreContractTest {
    @Override
    protected Store create() {
        return new InMemoryStore();
    }

    @Override
    protected Store restart(Store old) {
        return old;
    }
}
