from multiprocessing import Process
import time
def task(name):
    print(f'{name}正在运行')
    time.sleep(2)
    print(f'{name}运行结束')
if __name__ == '__main__':
    p = Process(target=task,args=('joker',))
    p.start()
    p.join() # 等待子进程运行完在运行主进程
    print('主进程')
