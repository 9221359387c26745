#include "webchat/engine/Topic.h"
#include "webchat/engine/LoopMember.h"

#include "EventLoop.h"

#include "webchat/engine/Engine.h"

namespace webchat::engine {

Topic::Topic(Engine& engine, std::string name, const std::vector<std::unique_ptr<EventLoop>>& loops):
	_engine(engine),
	_loops(loops),
	_name(std::move(name)),
	_subscribers(loops.size()),
	_sealPending(loops.size(), 0)
{
}

void Topic::publish(ws::Opcode opcode, std::string_view payload)
{
	publishWith([&](std::string& batch) { ws::appendFrame(batch, opcode, payload); });
}

void Topic::scheduleSeal()
{
	EventLoop* loop = EventLoop::current();
	if (loop && &loop->engine() == &_engine)
	{
		// Sealed once at the end of this loop iteration, so everything
		// published meanwhile travels as one batch.
		char& pending = _sealPending[static_cast<std::size_t>(loop->index())];
		if (!pending)
		{
			pending = 1;
			loop->scheduleSeal(*this);
		}
	}
	else if (PublishScope* scope = PublishScope::current())
	{
		scope->defer(*this);
	}
	else
	{
		// Published from outside the engine's threads: no iteration to wait for.
		sealLocked();
	}
}

void Topic::add(LoopMember& connection, int loop, const std::function<void(std::string& batch)>& atomically)
{
	std::uint64_t firstBatch;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (atomically) atomically(_openBatch);
		// Everything published so far, the hook's frames included, leaves
		// in batches numbered below firstBatch, which this subscriber skips.
		sealLocked();
		firstBatch = _sealedBatches;
		if (_subscriberCount.fetch_add(1, std::memory_order_relaxed) == 0) _self = shared_from_this();
	}
	// Outside the lock: loop's list is touched only by loop's thread.
	auto& subscribers = _subscribers[static_cast<std::size_t>(loop)];
	connection.topicSlot = static_cast<std::uint32_t>(subscribers.size());
	subscribers.push_back(Subscriber{&connection, firstBatch});
}

void Topic::remove(int loop, std::uint32_t slot)
{
	// Swap-remove: the last subscriber takes the freed place and learns it.
	auto& subscribers = _subscribers[static_cast<std::size_t>(loop)];
	subscribers[slot] = subscribers.back();
	subscribers[slot].connection->topicSlot = slot;
	subscribers.pop_back();
	std::shared_ptr<Topic> last;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_subscriberCount.fetch_sub(1, std::memory_order_relaxed) == 1) last = std::move(_self);
	}
	// last may be the only reference: the topic ends as it goes, after
	// the lock, touching nothing of it afterwards.
}

std::uint64_t Topic::sealedBatches()
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _sealedBatches;
}

namespace {

thread_local PublishScope* openScope = nullptr;

} // namespace

PublishScope::PublishScope():
	_outer(openScope)
{
	openScope = this;
}

PublishScope::~PublishScope()
{
	openScope = _outer;
	if (_outer)
	{
		// The outer scope seals.
		for (auto& topic : _topics) _outer->_topics.push_back(std::move(topic));
		return;
	}
	for (const auto& topic : _topics) topic->seal();
}

PublishScope* PublishScope::current()
{
	return openScope;
}

void PublishScope::defer(Topic& topic)
{
	// A handful of topics per scope (the rooms of one read): a linear
	// search beats a set.
	for (const auto& deferred : _topics)
		if (deferred.get() == &topic) return;
	_topics.push_back(topic.shared_from_this());
}

void Topic::seal()
{
	EventLoop* loop = EventLoop::current();
	std::lock_guard<std::mutex> lock(_mutex);
	if (loop) _sealPending[static_cast<std::size_t>(loop->index())] = 0;
	sealLocked();
}

void Topic::sealLocked()
{
	if (_openBatch.empty()) return;
	auto batch = std::make_shared<const SealedBatch>(std::move(_openBatch));
	_openBatch.clear();
	const std::uint64_t sequence = _sealedBatches++;
	// Posted under the topic's lock: every loop receives this topic's
	// batches in the same order.
	const auto self = shared_from_this();
	for (const auto& loop : _loops) loop->postBatch(self, batch, sequence);
}

} // namespace webchat::engine
