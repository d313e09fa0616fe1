package org.mp4j.queues;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mp4j.shm.SharedNames;

/**
 * A queue's data area grows when more is queued than it holds and, once emptied, goes back to
 * its first size and gives its segment back; every handle (one per process) keeps reading and
 * writing the right memory across those moves.
 */
class RingAreaTest {
    private static final int FIRST_SIZE = 4096;
    private static final int ITEM = 3000;

    @Test
    void anEmptiedGrownAreaGoesBackAndOtherHandlesFollowEveryMove() throws IOException {
        SharedNames names = new SharedNames();
        try (SharedQueue producer = SharedQueue.create(names, 0, FIRST_SIZE);
             SharedQueue consumer = SharedQueue.attach(producer.name())) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 20; i++) {          // 60 KB: the area grows to 64 KB
                    assertTrue(producer.put(item(round, i), 0));
                }
                assertEquals(1, grownSegments(producer.name()).size(), "a grown area has a segment");
                for (int i = 0; i < 5; i++) {           // this handle now maps the grown area
                    assertArrayEquals(item(round, i), consumer.get(5));
                }
                for (int i = 5; i < 20; i++) {
                    assertArrayEquals(item(round, i), producer.get(5));
                }
                assertEquals(List.of(), grownSegments(producer.name()), "the emptied area gave its segment back");
                assertTrue(producer.put(item(round, 99), 0));   // back below: the other handle follows
                assertArrayEquals(item(round, 99), consumer.get(5));
            }
        } finally {
            names.removeAll();
        }
    }

    @Test
    void anAreaThatGrewLittleKeepsItsSegmentWhenEmptied() throws IOException {
        SharedNames names = new SharedNames();
        try (SharedQueue q = SharedQueue.create(names, 0, FIRST_SIZE)) {
            for (int i = 0; i < 2; i++) {               // 6 KB: 8 KB, under SHRINK_FROM times 4 KB
                assertTrue(q.put(item(0, i), 0));
            }
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(item(0, i), q.get(5));
            }
            assertEquals(1, grownSegments(q.name()).size(), "a small growth is kept for the next burst");
        } finally {
            names.removeAll();
        }
    }

    @Test
    void aGrowthKeepsItemsThatWrapAroundTheEndInOrder() {
        SharedNames names = new SharedNames();
        try (SharedQueue q = SharedQueue.create(names, 0, FIRST_SIZE)) {
            assertTrue(q.put(item(0, 0), 0));
            assertArrayEquals(item(0, 0), q.get(5));    // the next frame starts at 3004 and wraps
            for (int i = 1; i <= 4; i++) {              // the second of these moves the area
                assertTrue(q.put(item(0, i), 0));
            }
            for (int i = 1; i <= 4; i++) {
                assertArrayEquals(item(0, i), q.get(5), "item " + i);
            }
        } finally {
            names.removeAll();
        }
    }

    @Test
    void aBytesPayloadIsQueuedAsItsWholePickleInTheRingAndInASegmentOfItsOwn() {
        SharedNames names = new SharedNames();
        try (SharedQueue q = SharedQueue.create(names, 0, FIRST_SIZE)) {
            for (int size : new int[] {0, 1, ITEM, SharedQueue.SPILL_THRESHOLD + 1}) {
                byte[] payload = item(1, size % 100);
                payload = Arrays.copyOf(payload, size);
                assertTrue(q.putBytes(payload, 0));
                byte[] pickle = q.get(5);
                assertEquals(size, q.bytesPickleSize(pickle), "payload length of a " + size + "-byte item");
                byte[] back = new byte[size];
                q.copyBytesPickle(pickle, back);
                assertArrayEquals(payload, back);
            }
        } finally {
            names.removeAll();
        }
    }

    private static byte[] item(int round, int i) {
        byte[] b = new byte[ITEM];
        Arrays.fill(b, (byte) (round * 31 + i));
        b[0] = (byte) i;
        return b;
    }

    private static List<String> grownSegments(String base) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(base + ".d")).toList();
        }
    }
}
