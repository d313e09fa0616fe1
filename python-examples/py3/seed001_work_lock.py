import os
import time
import random
from multiprocessing import Process
from multiprocessing import Lock
def work(n, lock):
    lock.acquire() #给进程上锁
    print('{} : {} is running'.format(n, os.getpid()))
    time.sleep(random.random())
    print('{} : {} is done'.format(n, os.getpid()))
    lock.release() #给进程下锁
if __name__ == '__main__':
    lock = Lock()
    for i in range(3):
        p = Process(target=work, args=(i, lock))
        p.start()
