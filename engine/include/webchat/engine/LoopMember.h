//
// LoopMember.h
//
// The explicit interface between an EventLoop and a connection it owns:
// what the loop keeps in each connection (its place in the loop's list and
// timer wheel, whether it is due to be written) and the calls the loop
// makes on it. Connection implements it privately (as it does
// MessageDecoder::Handler), so a plugin holding a Connection& cannot reach
// it: only the connection hands itself to its loop as a LoopMember.
//

#ifndef WEBCHAT_ENGINE_LOOPMEMBER_INCLUDED
#define WEBCHAT_ENGINE_LOOPMEMBER_INCLUDED

#include "webchat/engine/OutboundQueue.h"
#include "webchat/engine/TimerNode.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace webchat::engine {

class Connection;

class LoopMember: public TimerNode
{
public:
	enum class State : std::uint8_t
	{
		Open,    // messages flow
		Closing, // close frame sent or received; finishing the handshake
		Closed   // socket closed; deleted at the end of the loop iteration
	};

	// The connection's, which the loop reads on its hot paths without a
	// call: what it is owed, and where it is in its life (state, below).
	OutboundQueue out;

	// The loop's bookkeeping, written by the loop alone (the timer node,
	// the base, by its wheel).
	std::uint64_t serial = 0;   // tells this member from a later one at the same address (ConnectionHandle)
	std::uint32_t loopSlot = 0; // index in the loop's list of members
	// The topic's, written by the topic alone: the connection's index in
	// its topic's subscriber list of this loop (Topic::add), kept up to date
	// as others leave.
	std::uint32_t topicSlot = 0;
	bool pendingFlush = false;  // in the loop's list of members to write

	// The connection's again (here for packing): where it is in its life,
	// and whether deliveries take the deflated framing.
	State state = State::Open;
	const bool compresses;      // permessage-deflate negotiated

	explicit LoopMember(bool compresses): compresses(compresses) {}
	LoopMember(const LoopMember&) = delete;
	LoopMember& operator=(const LoopMember&) = delete;
	/// The loop deletes its members once closed.
	virtual ~LoopMember() = default;

	/// The connection, for the session handler's callbacks.
	virtual Connection& connection() = 0;
	/// The socket is closed: no event or timer of it is acted on.
	bool isClosed() const { return state == State::Closed; }

	/// Queues chunk, if open and if that keeps what it is owed within
	/// maxBytes (max_queued_bytes): a delivery's common case, with no call.
	/// false: deliver() decides (a flush first, or a slow consumer's close).
	bool queueWithin(Chunk* chunk, std::size_t maxBytes)
	{
		if (state != State::Open || out.bytes() + chunk->size() > maxBytes) return false;
		out.push(chunk);
		return true;
	}

	/// Begins: queues the upgrade's response, tells the handler (onOpen),
	/// then takes what the client sent after its request, if still open.
	/// While the loop is stopping it only closes (1001) after the response.
	virtual void start(std::string response, std::string pending, bool stopping) = 0;
	virtual void onReadable() = 0;
	virtual void onWritable() = 0;
	/// Writes what is queued (the loop's end-of-iteration flush).
	virtual void flush() = 0;
	/// Queues chunk (a topic's batch) unless closing or over
	/// max_queued_bytes, flushing first if that makes room, else closing a
	/// slow consumer; the caller holds its own reference. queueWithin()
	/// first: it takes the common case.
	virtual void deliver(Chunk* chunk) = 0;
	/// Completes a close the peer began or a protocol error called for
	/// (scheduleClose), once what it published is queued.
	virtual void finishClose(std::uint16_t code, std::string_view reason) = 0;
	/// Closes the socket at once, the handler told code: no handshake.
	virtual void drop(std::uint16_t code) = 0;
	/// Its timer fired at nowMs: acts on every deadline reached and returns
	/// when it next needs to be looked at (0: never, it is closed).
	virtual std::int64_t onTimer(std::int64_t nowMs) = 0;
};

} // namespace webchat::engine

#endif
