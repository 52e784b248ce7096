#include "model/ss_filter_parse.h"

#include <algorithm>
#include <initializer_list>
#include <vector>

#include <fmt/format.h>

namespace sockscope {
namespace {

struct Token {
  std::string_view s;
  size_t pos;
};

// Words split at blanks, as ss splits them; '(' and ')' are words of their
// own even when written against another ("(dport" is an error in ss, so
// accepting it changes the meaning of no filter ss accepts).
std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '(' || c == ')') {
      out.push_back({text.substr(i, 1), i});
      ++i;
    } else {
      size_t start = i;
      while (i < text.size() && std::string_view(" \t\n\r()").find(text[i]) == std::string_view::npos) ++i;
      out.push_back({text.substr(start, i - start), start});
    }
  }
  return out;
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), s) != words.end();
}

bool is_and(std::string_view s) { return one_of(s, {"and", "&", "&&"}); }
bool is_or(std::string_view s) { return one_of(s, {"or", "|", "||"}); }
bool is_not(std::string_view s) { return one_of(s, {"not", "!"}); }
bool is_eq(std::string_view s) { return one_of(s, {"=", "==", "eq"}); }
bool is_ne(std::string_view s) { return one_of(s, {"!=", "ne", "neq"}); }
bool is_state_word(std::string_view s) { return one_of(s, {"state", "exclude", "excl"}); }

std::optional<PortOp> port_op(std::string_view s) {
  if (is_eq(s)) return PortOp::Eq;
  if (is_ne(s)) return PortOp::Ne;
  if (one_of(s, {"<", "lt"})) return PortOp::Lt;
  if (one_of(s, {"<=", "le", "leq"})) return PortOp::Le;
  if (one_of(s, {">", "gt"})) return PortOp::Gt;
  if (one_of(s, {">=", "ge", "geq"})) return PortOp::Ge;
  return std::nullopt;
}

// A word that is part of the grammar, never an operand.
bool is_keyword(std::string_view s) {
  return is_and(s) || is_or(s) || is_not(s) || s == "(" || s == ")" || port_op(s) ||
         one_of(s, {"dst", "src", "dport", "sport", "dev", "cgroup", "fwmark", "autobound"});
}

constexpr int kMaxDepth = 64;  // nesting of '(' and 'not': a bound for hostile input

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), toks_(tokenize(text)) {}

  SsFilter parse() {
    SsFilter f;
    f.text = std::string(text_);
    bool saw_state = false;
    while (!done() && is_state_word(peek().s)) {
      Token kw = next();
      if (done()) throw FilterError(text_.size(), fmt::format("expected a state after '{}'", kw.s));
      Token w = next();
      auto set = state_word(w.s);
      if (!set)
        throw FilterError(w.pos, fmt::format("unknown state '{}': use established, syn-sent, syn-recv, fin-wait-1, "
                                             "fin-wait-2, time-wait, closed, close-wait, last-ack, listening, "
                                             "closing, or a group: all, connected, synchronized, bucket, big",
                                             w.s));
      // as ss: `state` starts from nothing and adds, `exclude` from all and removes
      if (kw.s == "state") {
        f.states = (saw_state ? f.states : 0) | *set;
      } else {
        f.states = (saw_state ? f.states : kAllStates) & ~*set;
      }
      saw_state = true;
    }
    if (!done()) f.expr = expr_list(0);
    if (!done()) throw FilterError(peek().pos, "')' without a '(' before it");
    return f;
  }

 private:
  bool done() const { return i_ >= toks_.size(); }
  const Token& peek() const { return toks_[i_]; }
  Token next() { return toks_[i_++]; }
  size_t here() const { return done() ? text_.size() : peek().pos; }

  static FilterNode combine(FilterNode::Kind k, size_t pos, FilterNode a, FilterNode b) {
    FilterNode n;
    n.kind = k;
    n.pos = pos;
    n.kids.push_back(std::move(a));
    n.kids.push_back(std::move(b));
    return n;
  }

  // exprlist: expr { [and|or] expr }, folded left as it is read
  FilterNode expr_list(int depth) {
    FilterNode left = expr(depth);
    while (!done() && peek().s != ")") {
      auto kind = FilterNode::Kind::And;
      size_t pos = peek().pos;
      if (is_and(peek().s) || is_or(peek().s)) {
        Token op = next();
        if (is_or(op.s)) kind = FilterNode::Kind::Or;
        if (done() || peek().s == ")")
          throw FilterError(here(), fmt::format("expected a condition after '{}'", op.s));
      }
      left = combine(kind, pos, std::move(left), expr(depth));
    }
    return left;
  }

  FilterNode expr(int depth) {
    if (depth > kMaxDepth) throw FilterError(here(), fmt::format("nested more than {} deep", kMaxDepth));
    if (done()) throw FilterError(here(), "expected a condition: dst, src, dport, sport, not, '(' ...");
    Token t = next();
    if (t.s == "(") {
      if (!done() && peek().s == ")") throw FilterError(peek().pos, "expected a condition inside '( )'");
      FilterNode inner = expr_list(depth + 1);
      if (done()) throw FilterError(t.pos, "this '(' is never closed: add ')'");
      next();
      return inner;
    }
    if (is_not(t.s)) {
      FilterNode n;
      n.kind = FilterNode::Kind::Not;
      n.pos = t.pos;
      n.kids.push_back(expr(depth + 1));
      return n;
    }
    if (t.s == "dst" || t.s == "src") return host_term(t);
    if (t.s == "dport" || t.s == "sport") return port_term(t);
    if (one_of(t.s, {"dev", "cgroup", "fwmark"})) return other_term(t);
    if (t.s == "autobound") {
      FilterNode n;
      n.kind = FilterNode::Kind::Autobound;
      n.pos = t.pos;
      return n;
    }
    if (is_state_word(t.s))
      throw FilterError(t.pos, "'state' and 'exclude' come first, before the expression, as in ss: "
                               "state established '( dport = :443 or sport = :443 )'");
    if (is_keyword(t.s)) throw FilterError(t.pos, fmt::format("expected a condition before '{}'", t.s));
    throw FilterError(t.pos, fmt::format("unknown word '{}': expected dst, src, dport, sport, dev, cgroup, "
                                         "not, '(' or a state before the expression (state established)",
                                         t.s));
  }

  // The operand after a condition's name and its optional operator.
  Token operand(const Token& name, std::string_view op) {
    if (done() || is_keyword(peek().s))
      throw FilterError(here(), fmt::format("expected {} after '{}{}{}'",
                                            name.s == "dst" || name.s == "src" ? "an address" : "a value", name.s,
                                            op.empty() ? "" : " ", op));
    return next();
  }

  FilterNode host_term(const Token& name) {
    std::string_view op;
    if (!done() && is_eq(peek().s)) op = next().s;
    if (!done() && port_op(peek().s) && !is_eq(peek().s))
      throw FilterError(peek().pos, fmt::format("'{}' takes '=' or nothing before the address (for 'not equal': "
                                                "not {} ADDRESS; to compare ports: {}port)",
                                                name.s, name.s, name.s[0]));
    Token w = operand(name, op);
    FilterNode n;
    n.kind = FilterNode::Kind::Host;
    n.pos = name.pos;
    n.remote = name.s == "dst";
    n.host = parse_host(w.s, w.pos);
    return n;
  }

  FilterNode port_term(const Token& name) {
    FilterNode n;
    n.kind = FilterNode::Kind::Port;
    n.pos = name.pos;
    n.remote = name.s == "dport";
    std::string_view op;
    if (!done()) {
      if (auto o = port_op(peek().s)) {
        n.op = *o;
        op = next().s;
      }
    }
    Token w = operand(name, op);
    n.host = parse_port(w.s, w.pos);
    if (n.host.port < 0 && n.op != PortOp::Eq && n.op != PortOp::Ne)
      throw FilterError(w.pos, fmt::format("'{}' compares with a port number, not '*'", op));
    return n;
  }

  FilterNode other_term(const Token& name) {
    bool negate = false;
    std::string_view op;
    if (!done() && (is_eq(peek().s) || is_ne(peek().s))) {
      negate = is_ne(peek().s);
      op = next().s;
    }
    Token w = operand(name, op);
    FilterNode n;
    n.kind = name.s == "dev" ? FilterNode::Kind::Dev
             : name.s == "cgroup" ? FilterNode::Kind::Cgroup
                                  : FilterNode::Kind::Fwmark;
    n.pos = name.pos;
    n.arg = std::string(w.s);
    if (!negate) return n;
    FilterNode no;
    no.kind = FilterNode::Kind::Not;
    no.pos = name.pos;
    no.kids.push_back(std::move(n));
    return no;
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
};

}  // namespace

SsFilter parse_ss_filter(std::string_view text) { return Parser(text).parse(); }

std::string describe_filter_error(const FilterError& e, std::string_view text) {
  std::string line(text);
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return fmt::format("{}\n  {}\n  {}^", e.what(), line, std::string(std::min(e.pos, line.size()), ' '));
}

}  // namespace sockscope
