# 文件db的内容为:{"count":3}
# 注意一定要用双引号,不然json无法识别
# 并发运行,效率高,但竞争写同一文件,数据写入错乱
import json
import time
import random
from multiprocessing import Process,Lock
def check_ticket(i):
    with open('ticket') as f:
        ticket_count = json.load(f)
    print('person{}查询当前余票 : '.format(i), ticket_count['count'])
def buy_ticket(i, lock):
    check_ticket(i) # 调用查询余票函数
    lock.acquire() # 锁进程
    with open('ticket') as f:
        ticket_count = json.load(f)
    time.sleep(random.random()) # 模拟读取延迟
    if ticket_count['count'] > 0:
        print('person{}购票成功'.format(i))
        ticket_count['count'] -= 1
        with open('ticket', 'w') as f:
            json.dump(ticket_count, f)
    else:
        print('余票不足,person{}购票失败'.format(i))
    time.sleep(random.random()) # 模拟写入延迟
    lock.release() # 解锁进程
if __name__ == '__main__':
    lock = Lock() # 实例化锁这个类得到一个对象lock
    for i in range(5):
        Process(target=buy_ticket, args=(i, lock,)).start()
