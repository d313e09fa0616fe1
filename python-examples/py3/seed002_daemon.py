from multiprocessing import Process
import time
def task(name):
    print('贴身侍卫:%s存活' % name)
    time.sleep(3)
    print('贴身侍卫:%s嗝屁' % name)
if __name__ == '__main__':
    p = Process(target=task, args=('jason',))
    p.daemon = True # 将子进程设置为守护进程:主进程代码结束 子进程立刻结束 必须要在start前面加
    p.start()
    print('主进程!!!')
