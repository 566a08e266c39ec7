//! The HCL syntax tree, with the line of every attribute, block and object item.

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub expr: Expr,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub line: u32,
    /// Line of the closing brace.
    pub end_line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Num(f64),
    Template(Vec<Part>),
    Tuple(Vec<Expr>),
    /// Items: key, value, line of the item.
    Object(Vec<(Expr, Expr, u32)>),
    Var(String),
    GetAttr(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    /// `x[*].a` / `x.*.a`: the traversals after the splat apply to each element.
    Splat(Box<Expr>, Vec<Trav>),
    /// Function name, arguments, whether the last argument is expanded with `...`.
    Call(String, Vec<Expr>, bool),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Trav {
    Attr(String),
    Index(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub val_var: String,
    pub coll: Expr,
    /// Present for object `for`s: `{for k, v in x : key => value}`.
    pub key: Option<Expr>,
    pub val: Expr,
    pub cond: Option<Expr>,
    /// `...` after the value: group values of equal keys into lists.
    pub group: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Interp(Expr),
    If(Expr, Vec<Part>, Vec<Part>),
    For { key_var: Option<String>, val_var: String, coll: Expr, body: Vec<Part> },
}
