import time
import random
from multiprocessing import Process, Semaphore
def ktv(i,sem):
    sem.acquire() # 锁住进程
    print('person {} 进来唱歌了'.format(i))
    time.sleep(random.randint(1, 5)) # 模拟唱歌时间
    print('person {} 从ktv出去了'.format(i))
    sem.release() # 解锁进程
if __name__ == '__main__':
    sem = Semaphore(4) # 模拟只有4个房间
    for i in range(5): # 模拟5批人需要唱歌
        Process(target=ktv, args=(i, sem)).start()
