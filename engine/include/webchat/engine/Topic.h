//
// Topic.h
//
// A set of subscribed connections across all I/O threads (the relay's one
// room, or a chat room). Publishing frames a message once into the topic's
// open batch; at the end of the publishing thread's loop iteration the batch
// is sealed and handed, as one shared buffer, to every I/O thread, which
// queues it for each local subscriber. Batches of a topic reach every
// subscriber in the order they were published (one lock per message, never
// per delivery).
//
// A topic lives while someone holds it (Engine::topic() returns a
// shared_ptr; batches in flight hold one too) or while it has subscribers
// (it holds itself then: a connection keeps a plain pointer, 8 bytes where
// a shared_ptr takes 16). It must not outlive its engine.
//

#ifndef WEBCHAT_ENGINE_TOPIC_INCLUDED
#define WEBCHAT_ENGINE_TOPIC_INCLUDED

#include "webchat/engine/Protocol.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::engine {

class Engine;
class EventLoop;
class LoopMember;

class Topic: public std::enable_shared_from_this<Topic>
{
public:
	const std::string& name() const { return _name; }

	/// Frames payload once and publishes it to every subscriber.
	void publish(ws::Opcode opcode, std::string_view payload);

	/// Publishes what appendFrames(std::string& batch) appends: whole
	/// frames (ws::appendFrame). Runs under the topic's lock, so a plugin can
	/// number messages here and the numbering matches delivery order.
	template <class AppendFrames>
	void publishWith(AppendFrames&& appendFrames)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const std::size_t before = _openBatch.size();
		appendFrames(_openBatch);
		if (_openBatch.size() != before) scheduleSeal();
	}

	/// Hands the open batch to every I/O thread now. The loop calls it at
	/// the end of an iteration that published to this topic, a
	/// PublishScope when it ends. Takes the topic's lock.
	void seal();

	/// Batches sealed so far (for tests and metrics; takes the lock).
	std::uint64_t sealedBatches();

	/// Subscribers on all I/O threads (approximate while they come and go).
	std::size_t subscriberCount() const { return _subscriberCount.load(std::memory_order_relaxed); }

	/// Subscribes connection on I/O thread loop (that thread only). For
	/// Connection::subscribe, which plugins call and which documents
	/// atomically. Everything published before
	/// atomically ran leaves in batches sealed here, which the connection
	/// skips; every later batch reaches it. The topic keeps the
	/// connection's place in the loop's list in its topicSlot until remove().
	void add(LoopMember& connection, int loop, const std::function<void(std::string& batch)>& atomically);

	/// Unsubscribes the connection at slot, its topicSlot (on its loop).
	/// The topic may end here: with its last subscriber gone, if nobody
	/// else holds it.
	void remove(int loop, std::uint32_t slot);

	/// Whether loop has subscribers (on that loop's thread).
	bool hasSubscribers(int loop) const { return !_subscribers[static_cast<std::size_t>(loop)].empty(); }

	/// Calls deliver(LoopMember&) for each subscriber of loop that receives
	/// batch sequence (on that loop's thread, which delivers each batch it
	/// is handed this way). deliver may remove the
	/// connection it is given (a slow consumer closed): the walk goes
	/// backwards, so the subscriber swapped into its place has already been
	/// served. No lock, allocation or atomic: a pointer and a sequence
	/// compared per subscriber.
	template <class Deliver>
	void forEachReceiver(int loop, std::uint64_t sequence, Deliver&& deliver)
	{
		const auto& subscribers = _subscribers[static_cast<std::size_t>(loop)];
		for (std::size_t i = subscribers.size(); i-- > 0;)
		{
			if (i < subscribers.size() && subscribers[i].firstBatch <= sequence) deliver(*subscribers[i].connection);
		}
	}

	/// Made by Engine::topic(): loops are the engine's I/O threads, which
	/// every sealed batch goes to.
	Topic(Engine& engine, std::string name, const std::vector<std::unique_ptr<EventLoop>>& loops);
	Topic(const Topic&) = delete;
	Topic& operator=(const Topic&) = delete;

private:
	// One connection in a loop's subscriber list (16 bytes: one per
	// subscribed connection; its index is the connection's topicSlot).
	struct Subscriber
	{
		LoopMember* connection;
		std::uint64_t firstBatch; // the topic's batches before this one are not the connection's
	};

	// Under _mutex: arrange for the open batch to be sealed.
	void scheduleSeal();
	// Under _mutex: hands the open batch to every loop.
	void sealLocked();

	Engine& _engine;
	const std::vector<std::unique_ptr<EventLoop>>& _loops;
	const std::string _name;
	std::mutex _mutex;
	std::string _openBatch;
	std::uint64_t _sealedBatches = 0; // sequence number of the next batch
	// Per I/O thread: its subscribers and whether it has this topic in its
	// list of batches to seal. Entry i is touched only by loop i.
	std::vector<std::vector<Subscriber>> _subscribers;
	std::vector<char> _sealPending;
	// Changed under _mutex (read without it), with _self: the topic itself
	// while it has any subscriber.
	std::atomic<std::size_t> _subscriberCount{0};
	std::shared_ptr<Topic> _self;
};

/// For a thread outside the engine that publishes many messages in a row
/// (a plugin's feed reader): while a scope is alive on that thread, what it
/// publishes stays in the topics' open batches, and the scope's end seals
/// each topic it touched once, so the I/O threads get one batch per topic
/// (and write each client once) instead of one per message, as they do for
/// their own publishing. Without a scope such a thread seals every publish
/// at once. On an I/O thread a scope changes nothing (the loop seals at the
/// end of its iteration). Scopes nest; the outermost seals.
class PublishScope
{
public:
	PublishScope();
	~PublishScope();
	PublishScope(const PublishScope&) = delete;
	PublishScope& operator=(const PublishScope&) = delete;

	/// The scope open on this thread, or null.
	static PublishScope* current();

	/// Seals topic when the outermost scope ends (once however often it is
	/// deferred).
	void defer(Topic& topic);

private:
	PublishScope* const _outer;
	std::vector<std::shared_ptr<Topic>> _topics;
};

} // namespace webchat::engine

#endif
