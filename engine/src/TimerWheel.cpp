#include "TimerWheel.h"

namespace webchat::engine {

TimerWheel::TimerWheel(std::int64_t nowMs):
	_heads(slotCount),
	_cursor(nowMs / slotMs)
{
	for (TimerNode& head : _heads)
	{
		head.prev = &head;
		head.next = &head;
	}
}

void TimerWheel::arm(TimerNode& node, std::int64_t dueMs)
{
	if (node.armed())
		unlink(node);
	else
		++_size;
	node.dueMs = dueMs;
	// A slot expire() has passed would wait a whole round: a time already
	// past goes to the slot it looks at next.
	std::int64_t slot = dueMs / slotMs;
	if (slot < _cursor) slot = _cursor;
	TimerNode& head = _heads[static_cast<std::size_t>(slot) % slotCount];
	node.prev = head.prev;
	node.next = &head;
	head.prev->next = &node;
	head.prev = &node;
}

void TimerWheel::cancel(TimerNode& node)
{
	if (!node.armed()) return;
	unlink(node);
	--_size;
}

void TimerWheel::unlink(TimerNode& node)
{
	node.prev->next = node.next;
	node.next->prev = node.prev;
	node.prev = nullptr;
	node.next = nullptr;
}

void TimerWheel::expire(std::int64_t nowMs, std::vector<TimerNode*>& due)
{
	const std::int64_t last = nowMs / slotMs;
	std::int64_t first = _cursor;
	// Away for more than a round: every slot once.
	if (last - first >= static_cast<std::int64_t>(slotCount)) first = last - static_cast<std::int64_t>(slotCount) + 1;
	for (std::int64_t slot = first; slot <= last; ++slot)
	{
		TimerNode& head = _heads[static_cast<std::size_t>(slot) % slotCount];
		for (TimerNode* node = head.next; node != &head;)
		{
			TimerNode* const next = node->next;
			if (node->dueMs <= nowMs)
			{
				unlink(*node);
				--_size;
				due.push_back(node);
			}
			node = next;
		}
	}
	// The current slot again next time: what is due later in it is left.
	_cursor = last;
}

} // namespace webchat::engine
