/// A string-keyed dictionary split into 64 dictionaries by the key's hash.
///
/// A Swift dictionary that outgrows its capacity rehashes every key at once, which at 100,000
/// users held the store's write lock for about 100 ms. Split this way, each growth step rehashes
/// one shard, a sixty-fourth of the keys.
struct ShardedDictionary<Value> {
    private static var shardCount: Int { 64 }

    private var shards = [[String: Value]](repeating: [:], count: ShardedDictionary.shardCount)

    private func shardIndex(_ key: String) -> Int {
        Int(UInt(bitPattern: key.hashValue) % UInt(Self.shardCount))
    }

    subscript(key: String) -> Value? {
        get {
            shards[shardIndex(key)][key]
        }
        set {
            shards[shardIndex(key)][key] = newValue
        }
    }

    subscript(key: String, default defaultValue: @autoclosure () -> Value) -> Value {
        get {
            shards[shardIndex(key)][key] ?? defaultValue()
        }
        _modify {
            let index = shardIndex(key)
            yield &shards[index][key, default: defaultValue()]
        }
    }

    /// All values, shard by shard, in no particular order.
    var values: FlattenSequence<LazyMapSequence<[[String: Value]], Dictionary<String, Value>.Values>> {
        shards.lazy.map(\.values).joined()
    }

    var count: Int {
        shards.reduce(0) { $0 + $1.count }
    }
}
