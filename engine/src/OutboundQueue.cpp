#include "webchat/engine/OutboundQueue.h"

#include "DeflateCodec.h"

#include <algorithm>

namespace webchat::engine {

const std::string& SealedBatch::deflatedFrames(ws::Deflater& deflater, std::size_t minBytes) const
{
	std::call_once(_deflateOnce, [&] { ws::appendDeflatedFrames(_deflated, _frames, deflater, minBytes); });
	return _deflated;
}

ChunkPool::~ChunkPool()
{
	for (Chunk* chunk : _free) delete chunk;
}

Chunk* ChunkPool::acquire()
{
	if (_free.empty()) return new Chunk;
	Chunk* chunk = _free.back();
	_free.pop_back();
	return chunk;
}

void ChunkPool::unref(Chunk* chunk)
{
	if (--chunk->refs != 0) return;
	chunk->shared.reset();
	chunk->owned.clear();
	// Keep small owned buffers for reuse, not big ones.
	if (chunk->owned.capacity() > 4096) std::string().swap(chunk->owned);
	if (_free.size() < 1024)
		_free.push_back(chunk);
	else
		delete chunk;
}

OutboundQueue::~OutboundQueue()
{
	freeArray();
}

void OutboundQueue::grow()
{
	if (_head > 0)
	{
		// Written chunks at the front: reuse their room.
		Chunk** const all = slots();
		std::copy(all + _head, all + _end, all);
		_end -= _head;
		_head = 0;
		return;
	}
	const std::uint32_t capacity = _capacity == 1 ? 4 : _capacity * 2;
	Chunk** const larger = new Chunk*[capacity];
	std::copy(slots(), slots() + _end, larger);
	freeArray();
	_many = larger;
	_capacity = capacity;
}

void OutboundQueue::freeArray()
{
	if (_capacity == 1) return;
	delete[] _many;
	_one = nullptr;
	_capacity = 1;
}

int OutboundQueue::gather(platform::IoBuffer* buffers, int max) const
{
	Chunk* const* const all = slots();
	int n = 0;
	std::size_t offset = _offset;
	for (std::uint32_t i = _head; i < _end && n < max; ++i)
	{
		const Chunk* chunk = all[i];
		platform::setBuffer(buffers[n], chunk->data() + offset, chunk->size() - offset);
		offset = 0;
		++n;
	}
	return n;
}

void OutboundQueue::consume(std::size_t n, ChunkPool& pool)
{
	Chunk** const all = slots();
	_bytes -= n;
	while (n > 0)
	{
		Chunk* chunk = all[_head];
		const std::size_t left = chunk->size() - _offset;
		if (n < left)
		{
			_offset += static_cast<std::uint32_t>(n);
			return;
		}
		n -= left;
		_offset = 0;
		++_head;
		pool.unref(chunk);
	}
	compact();
}

void OutboundQueue::dropUnstarted(ChunkPool& pool)
{
	Chunk** const all = slots();
	const std::uint32_t keep = _head + (_offset != 0 ? 1 : 0);
	for (std::uint32_t i = keep; i < _end; ++i)
	{
		_bytes -= all[i]->size();
		pool.unref(all[i]);
	}
	_end = keep;
	compact();
}

void OutboundQueue::clear(ChunkPool& pool)
{
	Chunk** const all = slots();
	for (std::uint32_t i = _head; i < _end; ++i) pool.unref(all[i]);
	_head = 0;
	_end = 0;
	_offset = 0;
	_bytes = 0;
	compact();
}

void OutboundQueue::releaseIdleMemory()
{
	if (empty()) freeArray();
}

void OutboundQueue::compact()
{
	if (_head == _end)
	{
		_head = 0;
		_end = 0;
		// A queue that grew during a burst goes back at once; a small one
		// stays while the connection is busy (releaseIdleMemory).
		if (_capacity > 64) freeArray();
	}
}

} // namespace webchat::engine
