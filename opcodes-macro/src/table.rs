//! Reading and checking `opcodes.toml`.
//!
//! Everything the generators need is resolved here once: names, Rust idents,
//! immediate kinds and stack effects. A malformed row becomes an error that
//! names the row, reported by the macro as `compile_error!`.

use proc_macro2::{Ident, Span};
use serde::Deserialize;
use std::collections::{BTreeSet, HashSet};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    schema: u32,
    group: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    proposal: String,
    prefix: Option<u8>,
    ops: Vec<RawOp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOp {
    name: String,
    id: Option<String>,
    code: u32,
    #[serde(default)]
    imm: Vec<String>,
    sig: Option<String>,
    access: Option<u32>,
    exec: Option<String>,
    #[serde(default)]
    traps: bool,
    flow: Option<String>,
    forms: Option<String>,
    #[serde(default)]
    commutative: bool,
    #[serde(default)]
    fuse: Vec<String>,
    #[serde(rename = "const")]
    constant: Option<ConstColumn>,
    doc: String,
}

/// The `const` column: `true`/`false`, or the proposal that made the row constant.
#[derive(Deserialize)]
#[serde(untagged)]
enum ConstColumn {
    Flag(bool),
    Proposal(String),
}

/// The closed set of immediate kinds a row may use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ImmKind {
    /// A u32 LEB index into one index space (`localidx`, `funcidx`, ...).
    Index(&'static str),
    MemIdx,
    I32,
    I64,
    F32,
    F64,
    MemArg,
    BlockType,
    BrTable,
    HeapType,
    ValTypes,
    /// `try_table`'s catch clauses.
    Catches,
    /// A u32 LEB count (`array.new_fixed`'s length).
    U32,
    /// `br_on_cast`'s flags byte: bit 0 and bit 1 say whether the source
    /// and target heap types are nullable.
    CastFlags,
    V128,
    Lane(u8),
    Shuffle,
}

impl ImmKind {
    fn parse(s: &str) -> Option<ImmKind> {
        const INDEXES: [&str; 10] = [
            "localidx",
            "globalidx",
            "funcidx",
            "typeidx",
            "tableidx",
            "elemidx",
            "dataidx",
            "labelidx",
            "tagidx",
            "fieldidx",
        ];
        if let Some(kind) = INDEXES.iter().find(|k| **k == s) {
            return Some(ImmKind::Index(kind));
        }
        Some(match s {
            "memidx" => ImmKind::MemIdx,
            "i32" => ImmKind::I32,
            "i64" => ImmKind::I64,
            "f32" => ImmKind::F32,
            "f64" => ImmKind::F64,
            "memarg" => ImmKind::MemArg,
            "blocktype" => ImmKind::BlockType,
            "br_table" => ImmKind::BrTable,
            "heaptype" => ImmKind::HeapType,
            "valtypes" => ImmKind::ValTypes,
            "catches" => ImmKind::Catches,
            "u32" => ImmKind::U32,
            "castflags" => ImmKind::CastFlags,
            "v128" => ImmKind::V128,
            "lane2" => ImmKind::Lane(2),
            "lane4" => ImmKind::Lane(4),
            "lane8" => ImmKind::Lane(8),
            "lane16" => ImmKind::Lane(16),
            "shuffle" => ImmKind::Shuffle,
            _ => return None,
        })
    }

    /// The kind's name as written in the table.
    pub fn name(self) -> String {
        match self {
            ImmKind::Index(name) => name.to_string(),
            ImmKind::MemIdx => "memidx".into(),
            ImmKind::I32 => "i32".into(),
            ImmKind::I64 => "i64".into(),
            ImmKind::F32 => "f32".into(),
            ImmKind::F64 => "f64".into(),
            ImmKind::MemArg => "memarg".into(),
            ImmKind::BlockType => "blocktype".into(),
            ImmKind::BrTable => "br_table".into(),
            ImmKind::HeapType => "heaptype".into(),
            ImmKind::ValTypes => "valtypes".into(),
            ImmKind::Catches => "catches".into(),
            ImmKind::U32 => "u32".into(),
            ImmKind::CastFlags => "castflags".into(),
            ImmKind::V128 => "v128".into(),
            ImmKind::Lane(n) => format!("lane{n}"),
            ImmKind::Shuffle => "shuffle".into(),
        }
    }
}

/// One immediate of a row: its field name and kind.
#[derive(Clone)]
pub struct Imm {
    pub field: Ident,
    pub kind: ImmKind,
}

/// A value type in a stack effect.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    ExnRef,
    /// `(ref null i31)`.
    I31Ref,
    /// `(ref null eq)`.
    EqRef,
    /// `(ref i31)`: never null.
    RefI31,
}

impl ValType {
    fn parse(s: &str) -> Option<ValType> {
        Some(match s {
            "i32" => ValType::I32,
            "i64" => ValType::I64,
            "f32" => ValType::F32,
            "f64" => ValType::F64,
            "v128" => ValType::V128,
            "funcref" => ValType::FuncRef,
            "externref" => ValType::ExternRef,
            "exnref" => ValType::ExnRef,
            "i31ref" => ValType::I31Ref,
            "eqref" => ValType::EqRef,
            "(ref_i31)" => ValType::RefI31,
            _ => return None,
        })
    }

    /// Frame slots a value of the type takes (a v128 takes two).
    pub fn slots(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    /// The runtime `ValType` variant or constant naming this type.
    pub fn variant(self) -> &'static str {
        match self {
            ValType::I32 => "I32",
            ValType::I64 => "I64",
            ValType::F32 => "F32",
            ValType::F64 => "F64",
            ValType::V128 => "V128",
            ValType::FuncRef => "FUNCREF",
            ValType::ExternRef => "EXTERNREF",
            ValType::ExnRef => "EXNREF",
            ValType::I31Ref => "I31REF",
            ValType::EqRef => "EQREF",
            ValType::RefI31 => "REF_I31",
        }
    }
}

/// A fixed stack effect: operands bottom to top, then results.
#[derive(Clone)]
pub struct Sig {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
    pub text: String,
}

/// What an instruction allowed in constant expressions (`const = true`)
/// contributes, told apart by its immediate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Constant {
    /// A value of the row's result type, from its one immediate (`i32.const`).
    Value,
    /// A null reference of the `heaptype` immediate (`ref.null`).
    Null,
    /// A reference to the `funcidx` immediate's function (`ref.func`).
    Func,
    /// The value of the `globalidx` immediate's global (`global.get`).
    Global,
    /// A pure operator without immediates, applied to the values below it
    /// (`i32.add` with extended constant expressions).
    Operator,
    /// A `runtime` row whose constant typing and evaluation are hand-written
    /// (GC's allocations and conversions).
    Runtime,
}

/// How an instruction is executed (see the schema at the top of the table).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exec {
    Pure,
    Const,
    Load,
    Store,
    Runtime,
    Control,
}

/// One fully resolved table row.
#[derive(Clone)]
pub struct Op {
    pub name: String,
    pub id: String,
    pub variant: Ident,
    pub prefix: Option<u8>,
    pub code: u32,
    pub proposal: String,
    pub imms: Vec<Imm>,
    pub sig: Option<Sig>,
    pub access: Option<u32>,
    pub exec: Exec,
    pub traps: bool,
    pub diverges: bool,
    /// Operand forms of a `pure`/`load`/`store` row (all slots when the row omits them).
    pub forms: Option<Forms>,
    /// Operands may be swapped (two-operand rows only).
    pub commutative: bool,
    /// The row also fuses with a following `br_if` (and `if`): compare-and-branch handlers.
    pub fuse_branch: bool,
    /// With an immediate operand, the row folds into the address of a load
    /// or store that uses its result (`x`/`y` address forms).
    pub fuse_address: bool,
    /// Allowed in constant expressions, and what it contributes there.
    pub constant: Option<Constant>,
    /// The proposal that made the row constant (the row's own for `const = true`).
    pub const_proposal: Option<String>,
    /// One line saying what the instruction does.
    pub doc: String,
}

impl Op {
    /// The semantics function's identifier, e.g. `i32_add`.
    pub fn fn_ident(&self) -> Ident {
        Ident::new(&self.id, Span::call_site())
    }

    /// Natural alignment exponent of a memory access.
    pub fn natural_align(&self) -> Option<u32> {
        self.access.map(|bytes| bytes.trailing_zeros())
    }
}

/// The whole table.
pub struct Table {
    pub ops: Vec<Op>,
    /// Proposal names in order of first appearance.
    pub proposals: Vec<String>,
}

/// `i64.load32_u` -> `I64Load32U`: CamelCase over `.` and `_` segments.
pub fn camel_case(id: &str) -> String {
    id.split(['.', '_'])
        .filter(|s| !s.is_empty())
        .map(|seg| {
            let mut chars = seg.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn parse_sig(text: &str) -> Result<Sig, String> {
    let (lhs, rhs) = text
        .split_once("->")
        .ok_or_else(|| format!("stack effect `{text}` has no `->`"))?;
    // `(ref i31)` is one type though it has a space.
    let types = |side: &str| -> Result<Vec<ValType>, String> {
        side.replace("(ref ", "(ref_")
            .split_whitespace()
            .map(|t| ValType::parse(t).ok_or_else(|| format!("unknown value type `{t}`")))
            .collect()
    };
    Ok(Sig {
        params: types(lhs)?,
        results: types(rhs)?,
        text: text.trim().to_string(),
    })
}

impl Table {
    /// Parses and checks the table text.
    pub fn parse(text: &str) -> Result<Table, String> {
        let raw: RawTable = toml::from_str(text).map_err(|e| format!("opcodes.toml: {e}"))?;
        if raw.schema != 1 {
            return Err(format!("opcodes.toml: unsupported schema {}", raw.schema));
        }
        let mut ops = Vec::new();
        let mut proposals = Vec::new();
        let mut seen_ids = HashSet::new();
        let mut seen_codes = BTreeSet::new();
        for group in raw.group {
            if !proposals.contains(&group.proposal) {
                proposals.push(group.proposal.clone());
            }
            for raw_op in group.ops {
                let name = raw_op.name.clone();
                let op = Self::resolve(&group.proposal, group.prefix, raw_op)
                    .map_err(|e| format!("opcodes.toml: row {name}: {e}"))?;
                if !seen_ids.insert(op.id.clone()) {
                    return Err(format!(
                        "opcodes.toml: row {name}: id `{}` is used twice; give one row an `id`",
                        op.id
                    ));
                }
                if !seen_codes.insert((op.prefix, op.code)) {
                    return Err(format!(
                        "opcodes.toml: row {name}: opcode {:#04X} is used twice",
                        op.code
                    ));
                }
                ops.push(op);
            }
        }
        // Proposals that only make older rows constant come after the groups.
        for op in &ops {
            if let Some(p) = &op.const_proposal {
                if !proposals.contains(p) {
                    proposals.push(p.clone());
                }
            }
        }
        Ok(Table { ops, proposals })
    }

    fn resolve(proposal: &str, prefix: Option<u8>, raw: RawOp) -> Result<Op, String> {
        if raw.name.is_empty() || raw.name.contains(char::is_whitespace) {
            return Err("mnemonic must be one word".into());
        }
        if prefix.is_none() && raw.code > 0xFF {
            return Err(format!("code {:#X} does not fit a byte", raw.code));
        }
        let id = raw.id.clone().unwrap_or_else(|| raw.name.replace('.', "_"));
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("id `{id}` is not a Rust identifier"));
        }
        let mut imms = Vec::new();
        for spec in &raw.imm {
            let (field, kind_name) = match spec.split_once(':') {
                Some((field, kind)) => (field.trim().to_string(), kind.trim()),
                None => (spec.trim().to_string(), spec.trim()),
            };
            let kind = ImmKind::parse(kind_name)
                .ok_or_else(|| format!("unknown immediate kind `{kind_name}`"))?;
            let field = match kind {
                ImmKind::Lane(_) if field == kind_name => "lane".to_string(),
                _ => field,
            };
            if imms.iter().any(|i: &Imm| i.field == field) {
                return Err(format!(
                    "immediate `{field}` appears twice; name them `a: kind`"
                ));
            }
            imms.push(Imm {
                field: Ident::new(&field, Span::call_site()),
                kind,
            });
        }
        let sig = raw.sig.as_deref().map(parse_sig).transpose()?;
        let exec = match (raw.exec.as_deref(), raw.access) {
            (None, None) | (Some("pure"), None) => Exec::Pure,
            (None, Some(_)) => match &sig {
                Some(s) if s.results.is_empty() => Exec::Store,
                Some(_) => Exec::Load,
                None => return Err("a memory access needs a `sig`".into()),
            },
            (Some("runtime"), None) => Exec::Runtime,
            (Some("const"), None) => Exec::Const,
            (Some("control"), None) => Exec::Control,
            (Some(other), None) => return Err(format!("unknown exec `{other}`")),
            (Some(_), Some(_)) => return Err("`access` implies exec load/store".into()),
        };
        if let Some(bytes) = raw.access {
            if !bytes.is_power_of_two() || bytes > 16 {
                return Err(format!("access {bytes} is not 1, 2, 4, 8 or 16"));
            }
            if !imms.iter().any(|i| i.kind == ImmKind::MemArg) {
                return Err("a memory access needs a memarg immediate".into());
            }
            let sig = sig.as_ref().expect("checked above");
            if sig.params.first() != Some(&ValType::I32) {
                return Err("a memory access takes an i32 address first".into());
            }
        }
        if matches!(exec, Exec::Pure | Exec::Load | Exec::Store) {
            let sig = sig
                .as_ref()
                .ok_or("a generated instruction needs a `sig` (or exec runtime/control)")?;
            // Several results go to consecutive frame slots, so such a row
            // has only the all-slot form.
            if sig.results.len() > 1 && (exec != Exec::Pure || raw.forms.is_some()) {
                return Err(
                    "a row with several results is pure and has no `forms` (all slots)".into(),
                );
            }
            let bad = imms.iter().find(|i| {
                matches!(
                    i.kind,
                    ImmKind::BlockType
                        | ImmKind::BrTable
                        | ImmKind::ValTypes
                        | ImmKind::HeapType
                        | ImmKind::Catches
                )
            });
            if let Some(imm) = bad {
                return Err(format!(
                    "immediate kind `{}` needs exec control",
                    imm.kind.name()
                ));
            }
        }
        if exec == Exec::Control && raw.traps {
            return Err("`traps` is for generated instructions".into());
        }
        let diverges = match raw.flow.as_deref() {
            None => false,
            Some("diverge") => true,
            Some(other) => return Err(format!("unknown flow `{other}`")),
        };
        if exec == Exec::Const {
            let s = sig.as_ref().ok_or("a const row needs a `sig`")?;
            if !s.params.is_empty() || s.results.len() != 1 || imms.len() != 1 {
                return Err("a const row takes one immediate and gives one value".into());
            }
        }
        let generated = matches!(exec, Exec::Pure | Exec::Load | Exec::Store);
        let forms = match (&raw.forms, &sig) {
            (Some(_), _) if !generated => {
                return Err("`forms` is for pure, load and store rows".into())
            }
            (Some(text), Some(sig)) => Some(Forms::parse(text, sig, raw.access.is_some())?),
            (None, Some(sig)) if generated => Some(Forms::slots_only(sig)),
            _ => None,
        };
        if raw.commutative && sig.as_ref().is_none_or(|s| s.params.len() != 2) {
            return Err("`commutative` needs exactly two operands".into());
        }
        let mut fuse_branch = false;
        let mut fuse_address = false;
        for fusion in &raw.fuse {
            match fusion.as_str() {
                "br_if" => {
                    let ok = generated
                        && sig
                            .as_ref()
                            .is_some_and(|s| s.results == [ValType::I32] && exec == Exec::Pure);
                    if !ok {
                        return Err("`fuse = [\"br_if\"]` needs a pure row giving an i32".into());
                    }
                    fuse_branch = true;
                }
                "address" => {
                    let ok = raw.commutative
                        && exec == Exec::Pure
                        && sig.as_ref().is_some_and(|s| s.text == "i32 i32 -> i32");
                    if !ok {
                        return Err(
                            "`fuse = [\"address\"]` needs a commutative pure i32 i32 -> i32 row"
                                .into(),
                        );
                    }
                    fuse_address = true;
                }
                other => return Err(format!("unknown fusion `{other}`")),
            }
        }
        let doc = raw.doc.trim().to_string();
        if doc.is_empty() || doc.contains('\n') {
            return Err("`doc` must be one non-empty line".into());
        }
        let const_proposal = match raw.constant {
            None | Some(ConstColumn::Flag(false)) => None,
            Some(ConstColumn::Flag(true)) => Some(proposal.to_string()),
            Some(ConstColumn::Proposal(p)) if p.is_empty() || p.contains(char::is_whitespace) => {
                return Err(format!("`const = \"{p}\"` is not a proposal name"))
            }
            Some(ConstColumn::Proposal(p)) => Some(p),
        };
        // Constant values are evaluated as 64-bit slot bits: no v128 operators.
        let operator = exec == Exec::Pure
            && !raw.traps
            && imms.is_empty()
            && sig.as_ref().is_some_and(|s| {
                !s.params.is_empty()
                    && s.results.len() == 1
                    && !s
                        .params
                        .iter()
                        .chain(&s.results)
                        .any(|t| *t == ValType::V128)
            });
        let constant = if const_proposal.is_some() {
            let result = sig
                .as_ref()
                .filter(|s| s.params.is_empty() && s.results.len() == 1);
            Some(match (imms.as_slice(), result) {
                ([imm], Some(_))
                    if matches!(
                        imm.kind,
                        ImmKind::I32 | ImmKind::I64 | ImmKind::F32 | ImmKind::F64 | ImmKind::V128
                    ) =>
                {
                    Constant::Value
                }
                ([imm], None) if imm.kind == ImmKind::HeapType => Constant::Null,
                ([imm], None) if imm.kind == ImmKind::Index("funcidx") => Constant::Func,
                ([imm], None) if imm.kind == ImmKind::Index("globalidx") => Constant::Global,
                ([], _) if operator => Constant::Operator,
                _ if exec == Exec::Runtime => Constant::Runtime,
                _ => {
                    return Err("a `const` row pushes its one immediate as a value, takes \
                         one heaptype, funcidx or globalidx, or is a pure operator \
                         without immediates that cannot trap"
                        .into())
                }
            })
        } else {
            None
        };
        Ok(Op {
            constant,
            const_proposal,
            doc,
            forms,
            commutative: raw.commutative,
            fuse_branch,
            fuse_address,
            variant: Ident::new(&camel_case(&id), Span::call_site()),
            name: raw.name,
            id,
            prefix,
            code: raw.code,
            proposal: proposal.to_string(),
            imms,
            sig,
            access: raw.access,
            exec,
            traps: raw.traps,
            diverges,
        })
    }
}

/// Where an operand is read from or a result written to.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Kind {
    /// A frame slot (a lane holds its index).
    Slot,
    /// The accumulator register.
    Acc,
    /// A 32-bit immediate lane.
    Imm,
    /// A frame slot plus a 32-bit immediate, wrapping (an `i32.add` folded
    /// into a memory address).
    SlotPlusImm,
    /// The accumulator plus a 32-bit immediate, wrapping.
    AccPlusImm,
}

impl Kind {
    /// The letter used in forms and handler names.
    pub fn letter(self) -> char {
        match self {
            Kind::Slot => 's',
            Kind::Acc => 'a',
            Kind::Imm => 'i',
            Kind::SlotPlusImm => 'x',
            Kind::AccPlusImm => 'y',
        }
    }

    /// Whether the kind reads the accumulator.
    pub fn uses_acc(self) -> bool {
        matches!(self, Kind::Acc | Kind::AccPlusImm)
    }

    fn parse(c: char) -> Option<Kind> {
        Some(match c {
            's' => Kind::Slot,
            'a' => Kind::Acc,
            'i' => Kind::Imm,
            'x' => Kind::SlotPlusImm,
            'y' => Kind::AccPlusImm,
            _ => return None,
        })
    }
}

/// The operand kinds a row accepts, per operand, and the result kinds.
#[derive(Clone, Debug)]
pub struct Forms {
    pub operands: Vec<Vec<Kind>>,
    pub results: Vec<Kind>,
}

/// One concrete form: a kind per operand and the result's kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub operands: Vec<Kind>,
    pub result: Option<Kind>,
}

impl Form {
    /// The form as a number, three bits per kind (slot 1, accumulator 2,
    /// immediate 3, slot plus immediate 4, accumulator plus immediate 5):
    /// the operands bottom to top, then the result (0 for none). The
    /// translator computes the same number to look handlers up.
    pub fn code(&self) -> u16 {
        let bits = |k: Kind| match k {
            Kind::Slot => 1,
            Kind::Acc => 2,
            Kind::Imm => 3,
            Kind::SlotPlusImm => 4,
            Kind::AccPlusImm => 5,
        };
        let operands = self
            .operands
            .iter()
            .fold(0u16, |code, k| code * 8 + bits(*k));
        operands * 8 + self.result.map_or(0, bits)
    }

    /// `si_a`: operand letters, then `_` and the result letter if there is one.
    pub fn key(&self) -> String {
        let mut key: String = self.operands.iter().map(|k| k.letter()).collect();
        if let Some(result) = self.result {
            key.push('_');
            key.push(result.letter());
        }
        key
    }
}

impl Forms {
    /// `"sa sai -> sa"`: each operand's kinds, bottom to top, then the result's.
    fn parse(text: &str, sig: &Sig, memory: bool) -> Result<Forms, String> {
        let (lhs, rhs) = text
            .split_once("->")
            .ok_or_else(|| format!("forms `{text}` has no `->`"))?;
        let kinds = |word: &str| -> Result<Vec<Kind>, String> {
            let kinds: Option<Vec<Kind>> = word.chars().map(Kind::parse).collect();
            kinds.ok_or_else(|| format!("forms `{text}`: kinds are s, a, i, x and y"))
        };
        let operands: Vec<Vec<Kind>> = lhs
            .split_whitespace()
            .map(kinds)
            .collect::<Result<_, _>>()?;
        let results = rhs
            .split_whitespace()
            .map(kinds)
            .collect::<Result<Vec<_>, _>>()?;
        if operands.len() != sig.params.len() || results.len() != sig.results.len() {
            return Err(format!("forms `{text}` do not match sig `{}`", sig.text));
        }
        for (i, (kinds, ty)) in operands.iter().zip(&sig.params).enumerate() {
            let sums = kinds.contains(&Kind::SlotPlusImm) || kinds.contains(&Kind::AccPlusImm);
            if sums && !(memory && i == 0) {
                return Err(format!(
                    "forms `{text}`: x and y are for the address of a load or store"
                ));
            }
            if !kinds.contains(&Kind::Slot) {
                return Err(format!("forms `{text}`: every operand must accept a slot"));
            }
            if kinds.contains(&Kind::Imm)
                && !matches!(ty, ValType::I32 | ValType::I64 | ValType::F32)
            {
                return Err(format!(
                    "forms `{text}`: only i32, i64 and f32 operands fit an immediate lane"
                ));
            }
            if kinds.contains(&Kind::Acc) && *ty == ValType::V128 {
                return Err(format!(
                    "forms `{text}`: a v128 does not fit the accumulator"
                ));
            }
        }
        let results = results.into_iter().next().unwrap_or_default();
        if results.iter().any(|k| !matches!(k, Kind::Slot | Kind::Acc)) {
            return Err(format!("forms `{text}`: a result cannot be an immediate"));
        }
        if sig.results.first() == Some(&ValType::V128) && results.contains(&Kind::Acc) {
            return Err(format!(
                "forms `{text}`: a v128 does not fit the accumulator"
            ));
        }
        Ok(Forms { operands, results })
    }

    /// Every operand and the results in frame slots (the default, and all a
    /// v128 row or a row with several results gets). Several results share
    /// one form: they go to consecutive slots from the first result's.
    fn slots_only(sig: &Sig) -> Forms {
        Forms {
            operands: sig.params.iter().map(|_| vec![Kind::Slot]).collect(),
            results: if sig.results.is_empty() {
                Vec::new()
            } else {
                vec![Kind::Slot]
            },
        }
    }

    /// The concrete forms that get a handler: at most one operand in the
    /// accumulator, at most one immediate, not only immediates, and for a
    /// commutative row one order of each pair of kinds.
    pub fn expand(&self, commutative: bool) -> Vec<Form> {
        let mut combos: Vec<Vec<Kind>> = vec![Vec::new()];
        for kinds in &self.operands {
            combos = combos
                .into_iter()
                .flat_map(|prefix| {
                    kinds.iter().map(move |k| {
                        let mut next = prefix.clone();
                        next.push(*k);
                        next
                    })
                })
                .collect();
        }
        combos.retain(|c| {
            let count = |kind| c.iter().filter(|k| **k == kind).count();
            c.iter().filter(|k| k.uses_acc()).count() <= 1
                && count(Kind::Imm) <= 1
                && (c.is_empty() || count(Kind::Imm) < c.len())
                && !(commutative && c[0] > c[1])
        });
        let results: Vec<Option<Kind>> = if self.results.is_empty() {
            vec![None]
        } else {
            self.results.iter().map(|k| Some(*k)).collect()
        };
        combos
            .into_iter()
            .flat_map(|operands| {
                results.iter().map(move |result| Form {
                    operands: operands.clone(),
                    result: *result,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_matches_wasmparser_spelling() {
        assert_eq!(camel_case("i64_load32_u"), "I64Load32U");
        assert_eq!(camel_case("i32x4_extract_lane"), "I32x4ExtractLane");
        assert_eq!(camel_case("select_t"), "SelectT");
    }

    #[test]
    fn bad_row_is_named() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [ { name = "i32.add", code = 0x6A, sig = "i32 i32 -> i33", doc = "Adds." } ]
"#;
        let err = Table::parse(text).err().unwrap();
        assert!(err.contains("row i32.add"), "{err}");
        assert!(err.contains("i33"), "{err}");
    }

    #[test]
    fn duplicate_code_is_rejected() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [
  { name = "a.b", code = 0x01, sig = "->", doc = "A." },
  { name = "c.d", code = 0x01, sig = "->", doc = "C." },
]
"#;
        let err = Table::parse(text).err().unwrap();
        assert!(err.contains("row c.d"), "{err}");
    }

    #[test]
    fn const_rows_are_classified() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [
  { name = "i32.const", code = 0x41, imm = ["value: i32"], sig = "-> i32", exec = "const", const = true, doc = "C." },
  { name = "global.get", code = 0x23, imm = ["globalidx"], exec = "runtime", const = true, doc = "G." },
  { name = "nop", code = 0x01, sig = "->", doc = "N." },
]
"#;
        let table = Table::parse(text).unwrap();
        let kinds: Vec<_> = table.ops.iter().map(|op| op.constant).collect();
        assert_eq!(kinds, [Some(Constant::Value), Some(Constant::Global), None]);
    }

    #[test]
    fn operator_made_constant_by_a_later_proposal() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [
  { name = "i32.add", code = 0x6A, sig = "i32 i32 -> i32", const = "extended_const", doc = "A." },
  { name = "i32.div_s", code = 0x6D, sig = "i32 i32 -> i32", traps = true, doc = "D." },
]
"#;
        let table = Table::parse(text).unwrap();
        assert_eq!(table.ops[0].constant, Some(Constant::Operator));
        assert_eq!(
            table.ops[0].const_proposal.as_deref(),
            Some("extended_const")
        );
        assert_eq!(table.proposals, ["mvp", "extended_const"]);
        let trapping = text.replace("traps = true,", "traps = true, const = true,");
        assert!(Table::parse(&trapping).is_err());
    }

    #[test]
    fn const_row_without_a_value_is_rejected() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [ { name = "nop", code = 0x01, sig = "->", const = true, doc = "N." } ]
"#;
        let err = Table::parse(text).err().unwrap();
        assert!(err.contains("row nop"), "{err}");
    }

    #[test]
    fn several_results_get_one_slot_form() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [ { name = "i64.mul_wide_u", code = 0x01, sig = "i64 i64 -> i64 i64", doc = "M." } ]
"#;
        let table = Table::parse(text).unwrap();
        let forms = table.ops[0].forms.as_ref().unwrap().expand(false);
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].key(), "ss_s");
    }

    #[test]
    fn several_results_with_forms_are_rejected() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [ { name = "a.b", code = 0x01, sig = "i64 -> i64 i64", forms = "sa -> s s", doc = "A." } ]
"#;
        let err = Table::parse(text).err().unwrap();
        assert!(err.contains("several results"), "{err}");
    }

    #[test]
    fn row_without_doc_is_rejected() {
        let text = r#"
schema = 1
[[group]]
proposal = "mvp"
ops = [ { name = "nop", code = 0x01, sig = "->" } ]
"#;
        assert!(Table::parse(text).is_err());
    }

    /// The repository's table, through this package's own `opcodes.toml`
    /// link: every row parses and has a doc line.
    #[test]
    fn the_real_table_parses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/opcodes.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let table = Table::parse(&text).unwrap();
        assert!(table.ops.len() > 400);
        assert!(table.ops.iter().all(|op| op.doc.ends_with('.')));
        let constants = table.ops.iter().filter(|op| op.constant.is_some()).count();
        assert_eq!(constants, 22);
    }
}
