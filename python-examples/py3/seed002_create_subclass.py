# The article's second way continues its first example, whose two imports it relies on:
from multiprocessing import Process
import time
# --- the article's code, verbatim ---
class MyProcess(Process):
    def __init__(self, name):
        super().__init__() # 重写父类方法
        self.name = name
    def run(self):
        print(f'{self.name}正在运行')
        time.sleep(2)
        print(f'{self.name}运行结束')
if __name__ == '__main__':
    obj = MyProcess('joker')
    obj.start()
    print('主')
