from multiprocessing import Queue, Process
# 能维护一个先进先出的次序,也能进行IPC
def haha(q):
    # 返回q中的一个项目。如果q为空,此方法将阻塞,直到队列中有项目可用为止
    print(q.get())
if __name__ == '__main__':
    q = Queue()
    p = Process(target=haha, args=(q, ))
    p.start()
    # 将[1, 2, 3]放入队列。如果队列已满,此方法将阻塞至有空间可用为止
    q.put([1, 2, 3])
