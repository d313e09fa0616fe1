from multiprocessing import Process,Manager,active_children
import random
import queue
import time
class Producer(Process):
    def __init__(self,queue):
        super().__init__()
        self.queue = queue
    def run(self):
        for i in range(6):
            r = random.randint(0, 99)
            time.sleep(1)
            self.queue.put(r)
            print("add data{}".format(r))
class Consumer(Process):
    def __init__(self,queue):
        super().__init__()
        self.queue = queue
    def run(self):
        while True:
            if not self.queue.empty():
                data = self.queue.get()
                print("minus data{}".format(data))
if __name__ == '__main__':
    q = Manager().Queue() # 创建队列
    p = Producer(q)
    c = Consumer(q)
    p.start()
    c.start()
    print(active_children()) # 查看现有的进程
    p.join()
    c.join()
    print("结束")
