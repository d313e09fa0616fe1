# Worker for JavaHostQueueTest: takes items from the Java host's queue and answers on another.
import sys
from multiprocessing.queues import attach_queue

inbox = attach_queue(sys.argv[1])
outbox = attach_queue(sys.argv[2])
while True:
    item = inbox.get(timeout=60)
    if item is None:
        break
    outbox.put({'echo': item, 'seen_by': sys.version_info[0]})
