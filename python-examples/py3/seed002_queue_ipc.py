from multiprocessing import Queue, Process
def procedure(q):
    q.put('子进程procedure往队里中添加了数据')
def consumer(q):
    print('子进程的consumer从队列中获取数据', q.get())
if __name__ == '__main__':
    q = Queue() # 在主进程中产生q对象 确保所有的子进程使用的是相同的q
    p1 = Process(target=procedure, args=(q,))
    p2 = Process(target=consumer, args=(q,))
    p1.start()
    p2.start()
    print('主进程')
