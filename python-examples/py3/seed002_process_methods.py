# The article lists these calls as fragments (进程相关方法); the lines marked "added" make
# them a script: a child p1 to call them on, and prints to show the values.
from multiprocessing import current_process
import os
from multiprocessing import Process  # added
import time  # added
def task():  # added
    time.sleep(30)  # added
if __name__ == '__main__':  # added
    p1 = Process(target=task)  # added
    p1.start()  # added
    # 1.查看进程号
    print(current_process().pid)
    print(os.getpid())
    print(os.getppid())
    print(p1.is_alive())  # added
    # 2.销毁子进程
    p1.terminate()
    time.sleep(0.5)  # added
    # 3.判断进程是否存活
    print(p1.is_alive())
    p1.join()  # added
    print(p1.exitcode)  # added
