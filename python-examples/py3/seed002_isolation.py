from multiprocessing import Process
money = 100
def task():
    global money
    money = 666
    print('子进程money', money) # 子进程money 666
if __name__ == '__main__':
    p = Process(target=task)
    p.start()
    p.join()
    print('父进程money', money) # 父进程money 100
